// Adam with L2 weight decay and the AMSGrad variant (torch.optim.Adam).
using Mtl.NN.Optim.Updates;

namespace Mtl.NN.Optim;

/// <summary>Options shared by <see cref="Adam"/> and <see cref="AdamW"/>: moment decay rates, eps, AMSGrad.</summary>
public abstract record AdamFamilyOptions : OptimizerOptions
{
    /// <summary>Decay rates (β1, β2) of the first and second moment averages, each in [0, 1).</summary>
    public (double Beta1, double Beta2) Betas { get; init; } = (0.9, 0.999);

    /// <summary>Added to the denominator for numerical stability (≥ 0).</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Use the maximum of past second moments (AMSGrad).</summary>
    public bool Amsgrad { get; init; }

    internal override IReadOnlyCollection<string> OwnOptionNames => AdamFamily.Own;

    private protected override OptimizerOptions OverrideOwn(ParamGroup g) =>
        this with { Betas = g.Betas ?? Betas, Eps = g.Eps ?? Eps, Amsgrad = g.Amsgrad ?? Amsgrad };

    private protected override IEnumerable<string> OwnProblems() => AdamFamily.Problems(Betas, Eps);

    private protected override void WriteOwn(IDictionary<string, string> values, string prefix) => AdamFamily.Write(values, prefix, Betas, Eps, Amsgrad);

    private protected override OptimizerOptions ReadOwn(OptionReader r) =>
        this with { Betas = (r.Double("beta1", Betas.Beta1), r.Double("beta2", Betas.Beta2)), Eps = r.Double("eps", Eps), Amsgrad = r.Bool("amsgrad", Amsgrad) };
}

/// <summary>Options of <see cref="Adam"/> (PyTorch's defaults).</summary>
public sealed record AdamOptions : AdamFamilyOptions;

/// <summary>
/// Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with torch.optim.Adam's semantics:
/// weight decay is an L2 term added to the gradient; bias corrections as in PyTorch 1.13,
/// p -= lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps); AMSGrad (Reddi et al., "On the Convergence of Adam and Beyond",
/// ICLR 2018) uses the running maximum of v. State per parameter: <c>exp_avg</c>, <c>exp_avg_sq</c>
/// (+ <c>max_exp_avg_sq</c>) and the step count.
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>Adam over parameter groups, each overriding <paramref name="options"/> as it likes.</summary>
    public Adam(IEnumerable<ParamGroup> groups, AdamOptions? options = null) : base(groups, options ?? new AdamOptions()) { }

    /// <summary>Adam over one group of parameters.</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null) : this([new ParamGroup(parameters)], options) { }

    private protected override IReadOnlyList<string> StateNames(OptimizerOptions options) => AdamFamily.StateNames(((AdamOptions)options).Amsgrad);

    private protected override void Update(OptimizerOptions options, double lr, Tensor param, Tensor grad, ParamState state)
    {
        var o = (AdamOptions)options;
        AdamFamily.Update(param, grad, state, new AdamHyper(lr, o.Betas.Beta1, o.Betas.Beta2, o.Eps, o.WeightDecay, false, o.Amsgrad, o.Maximize, state.Step));
    }
}

/// <summary>What Adam and AdamW share: option names, checks, serialisation, state names and the dispatch to the kernel.</summary>
internal static class AdamFamily
{
    public static readonly string[] Own = [nameof(ParamGroup.Betas), nameof(ParamGroup.Eps), nameof(ParamGroup.Amsgrad)];
    private static readonly string[] Plain = ["exp_avg", "exp_avg_sq"];
    private static readonly string[] Ams = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    public static IReadOnlyList<string> StateNames(bool amsgrad) => amsgrad ? Ams : Plain;

    public static IEnumerable<string> Problems((double Beta1, double Beta2) betas, double eps)
    {
        if (!(eps >= 0) || double.IsInfinity(eps)) yield return $"invalid epsilon value: {F(eps)} (must be finite and >= 0)";
        if (!(betas.Beta1 >= 0 && betas.Beta1 < 1)) yield return $"invalid beta parameter at index 0: {F(betas.Beta1)} (must be in [0, 1))";
        if (!(betas.Beta2 >= 0 && betas.Beta2 < 1)) yield return $"invalid beta parameter at index 1: {F(betas.Beta2)} (must be in [0, 1))";
    }

    public static void Write(IDictionary<string, string> values, string prefix, (double Beta1, double Beta2) betas, double eps, bool amsgrad)
    {
        OptionIO.Write(values, prefix + "beta1", betas.Beta1);
        OptionIO.Write(values, prefix + "beta2", betas.Beta2);
        OptionIO.Write(values, prefix + "eps", eps);
        OptionIO.Write(values, prefix + "amsgrad", amsgrad);
    }

    public static void Update(Tensor param, Tensor grad, ParamState state, in AdamHyper h)
    {
        var b = state.Buffers;
        if (param.DType == DType.Float32)
            AdamUpdate.Apply(param.Span<float>(), grad.Span<float>(), b[0].Span<float>(), b[1].Span<float>(), h.Amsgrad ? b[2].Span<float>() : default, h);
        else
            AdamUpdate.Apply(param.Span<double>(), grad.Span<double>(), b[0].Span<double>(), b[1].Span<double>(), h.Amsgrad ? b[2].Span<double>() : default, h);
        for (int i = 0; i < b.Length; i++) b[i].BumpVersion();
    }

    private static string F(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
