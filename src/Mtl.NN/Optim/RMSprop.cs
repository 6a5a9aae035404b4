// RMSprop with centring, momentum and weight decay (torch.optim.RMSprop).
using Mtl.NN.Optim.Updates;

namespace Mtl.NN.Optim;

/// <summary>Options of <see cref="RMSprop"/> (PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8).</summary>
public sealed record RMSpropOptions : OptimizerOptions
{
    private static readonly string[] Own = [nameof(ParamGroup.Alpha), nameof(ParamGroup.Eps), nameof(ParamGroup.Momentum), nameof(ParamGroup.Centered)];

    /// <summary>RMSprop's default learning rate is 0.01.</summary>
    public RMSpropOptions() => Lr = 1e-2;

    /// <summary>Smoothing constant of the squared-gradient average (≥ 0).</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>Added to the denominator for numerical stability (≥ 0).</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Momentum factor (≥ 0; 0 disables momentum).</summary>
    public double Momentum { get; init; }

    /// <summary>Normalise by the estimated variance of the gradient instead of its second moment.</summary>
    public bool Centered { get; init; }

    internal override IReadOnlyCollection<string> OwnOptionNames => Own;

    private protected override OptimizerOptions OverrideOwn(ParamGroup g) =>
        this with { Alpha = g.Alpha ?? Alpha, Eps = g.Eps ?? Eps, Momentum = g.Momentum ?? Momentum, Centered = g.Centered ?? Centered };

    private protected override IEnumerable<string> OwnProblems()
    {
        if (!(Alpha >= 0) || double.IsInfinity(Alpha)) yield return $"invalid alpha value: {Fmt(Alpha)} (must be finite and >= 0)";
        if (!(Eps >= 0) || double.IsInfinity(Eps)) yield return $"invalid epsilon value: {Fmt(Eps)} (must be finite and >= 0)";
        if (!(Momentum >= 0) || double.IsInfinity(Momentum)) yield return $"invalid momentum value: {Fmt(Momentum)} (must be finite and >= 0)";
    }

    private protected override void WriteOwn(IDictionary<string, string> values, string prefix)
    {
        OptionIO.Write(values, prefix + "alpha", Alpha);
        OptionIO.Write(values, prefix + "eps", Eps);
        OptionIO.Write(values, prefix + "momentum", Momentum);
        OptionIO.Write(values, prefix + "centered", Centered);
    }

    private protected override OptimizerOptions ReadOwn(OptionReader r) =>
        this with { Alpha = r.Double("alpha", Alpha), Eps = r.Double("eps", Eps), Momentum = r.Double("momentum", Momentum), Centered = r.Bool("centered", Centered) };
}

/// <summary>
/// RMSprop (Hinton, Srivastava and Swersky, "Neural Networks for Machine Learning", lecture 6e, 2012; centred form from
/// Graves, "Generating Sequences With Recurrent Neural Networks", 2013) with torch.optim.RMSprop's semantics:
/// s = α·s + (1 − α)·d²; avg = √(s − a²) + eps when centred (a the running mean of d), else √s + eps; with momentum
/// buf = μ·buf + d/avg and p -= lr·buf, else p -= lr·d/avg. State per parameter: <c>square_avg</c>
/// (+ <c>momentum_buffer</c>, + <c>grad_avg</c>) and the step count.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private static readonly string[][] Names =
    [
        ["square_avg"], ["square_avg", "momentum_buffer"], ["square_avg", "grad_avg"], ["square_avg", "momentum_buffer", "grad_avg"],
    ];

    /// <summary>RMSprop over parameter groups, each overriding <paramref name="options"/> as it likes.</summary>
    public RMSprop(IEnumerable<ParamGroup> groups, RMSpropOptions? options = null) : base(groups, options ?? new RMSpropOptions()) { }

    /// <summary>RMSprop over one group of parameters.</summary>
    public RMSprop(IEnumerable<Tensor> parameters, RMSpropOptions? options = null) : this([new ParamGroup(parameters)], options) { }

    private protected override IReadOnlyList<string> StateNames(OptimizerOptions options)
    {
        var o = (RMSpropOptions)options;
        return Names[(o.Momentum > 0 ? 1 : 0) + (o.Centered ? 2 : 0)];
    }

    private protected override void Update(OptimizerOptions options, double lr, Tensor param, Tensor grad, ParamState state)
    {
        var o = (RMSpropOptions)options;
        var h = new RmsPropHyper(lr, o.Alpha, o.Eps, o.WeightDecay, o.Momentum, o.Centered, o.Maximize);
        var b = state.Buffers;
        int mom = o.Momentum > 0 ? 1 : -1, avg = o.Centered ? b.Length - 1 : -1;
        if (param.DType == DType.Float32)
            RmsPropUpdate.Apply(param.Span<float>(), grad.Span<float>(), b[0].Span<float>(),
                avg >= 0 ? b[avg].Span<float>() : default, mom >= 0 ? b[mom].Span<float>() : default, h);
        else
            RmsPropUpdate.Apply(param.Span<double>(), grad.Span<double>(), b[0].Span<double>(),
                avg >= 0 ? b[avg].Span<double>() : default, mom >= 0 ? b[mom].Span<double>() : default, h);
        for (int i = 0; i < b.Length; i++) b[i].BumpVersion();
    }
}
