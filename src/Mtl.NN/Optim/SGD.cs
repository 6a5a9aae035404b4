// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD).
using Mtl.NN.Optim.Updates;

namespace Mtl.NN.Optim;

/// <summary>Options of <see cref="SGD"/> (PyTorch's defaults; lr defaults to 1e-3 as in PyTorch ≥ 2.2).</summary>
public sealed record SGDOptions : OptimizerOptions
{
    private static readonly string[] Own = [nameof(ParamGroup.Momentum), nameof(ParamGroup.Dampening), nameof(ParamGroup.Nesterov)];

    /// <summary>Momentum factor (≥ 0; 0 disables momentum).</summary>
    public double Momentum { get; init; }

    /// <summary>Dampening of the momentum, in [0, 1].</summary>
    public double Dampening { get; init; }

    /// <summary>Nesterov momentum (needs momentum &gt; 0 and dampening 0).</summary>
    public bool Nesterov { get; init; }

    internal override IReadOnlyCollection<string> OwnOptionNames => Own;

    private protected override OptimizerOptions OverrideOwn(ParamGroup g) =>
        this with { Momentum = g.Momentum ?? Momentum, Dampening = g.Dampening ?? Dampening, Nesterov = g.Nesterov ?? Nesterov };

    private protected override IEnumerable<string> OwnProblems()
    {
        if (!(Momentum >= 0) || double.IsInfinity(Momentum)) yield return $"invalid momentum value: {Fmt(Momentum)} (must be finite and >= 0)";
        if (!(Dampening >= 0 && Dampening <= 1)) yield return $"invalid dampening value: {Fmt(Dampening)} (must be in [0, 1])";
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            yield return $"Nesterov momentum requires a momentum > 0 and zero dampening (momentum={Fmt(Momentum)}, dampening={Fmt(Dampening)})";
    }

    private protected override void WriteOwn(IDictionary<string, string> values, string prefix)
    {
        OptionIO.Write(values, prefix + "momentum", Momentum);
        OptionIO.Write(values, prefix + "dampening", Dampening);
        OptionIO.Write(values, prefix + "nesterov", Nesterov);
    }

    private protected override OptimizerOptions ReadOwn(OptionReader r) =>
        this with { Momentum = r.Double("momentum", Momentum), Dampening = r.Double("dampening", Dampening), Nesterov = r.Bool("nesterov", Nesterov) };
}

/// <summary>
/// Stochastic gradient descent, optionally with momentum (Polyak, 1964; Sutskever et al., "On the importance of
/// initialization and momentum in deep learning", ICML 2013, for the Nesterov form), with torch.optim.SGD's exact
/// semantics: d = g + wd·p; the momentum buffer starts as d and then follows buf = μ·buf + (1 − dampening)·d; the step
/// uses d + μ·buf (Nesterov) or buf; p -= lr·d. State per parameter: <c>momentum_buffer</c> when momentum ≠ 0.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] WithMomentum = ["momentum_buffer"];

    /// <summary>SGD over parameter groups, each overriding <paramref name="options"/> as it likes.</summary>
    public SGD(IEnumerable<ParamGroup> groups, SGDOptions? options = null) : base(groups, options ?? new SGDOptions()) { }

    /// <summary>SGD over one group of parameters.</summary>
    public SGD(IEnumerable<Tensor> parameters, SGDOptions? options = null) : this([new ParamGroup(parameters)], options) { }

    private protected override IReadOnlyList<string> StateNames(OptimizerOptions options) =>
        ((SGDOptions)options).Momentum != 0 ? WithMomentum : [];

    private protected override void Update(OptimizerOptions options, double lr, Tensor param, Tensor grad, ParamState state)
    {
        var o = (SGDOptions)options;
        var h = new SgdHyper(lr, o.Momentum, o.Dampening, o.Nesterov, o.WeightDecay, o.Maximize, state.Step == 1);
        bool hasBuf = state.Buffers.Length > 0;
        if (param.DType == DType.Float32)
            SgdUpdate.Apply(param.Span<float>(), grad.Span<float>(), hasBuf ? state.Buffers[0].Span<float>() : default, h);
        else
            SgdUpdate.Apply(param.Span<double>(), grad.Span<double>(), hasBuf ? state.Buffers[0].Span<double>() : default, h);
        if (hasBuf) state.Buffers[0].BumpVersion();
    }
}
