// AdamW: Adam with decoupled weight decay (torch.optim.AdamW).
using Mtl.NN.Optim.Updates;

namespace Mtl.NN.Optim;

/// <summary>Options of <see cref="AdamW"/> (PyTorch's defaults: weight decay 0.01).</summary>
public sealed record AdamWOptions : AdamFamilyOptions
{
    /// <summary>AdamW's default weight decay is 0.01.</summary>
    public AdamWOptions() => WeightDecay = 1e-2;
}

/// <summary>
/// AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019) with torch.optim.AdamW's
/// semantics: first p *= 1 − lr·wd, then the Adam update on the raw gradient (see <see cref="Adam"/>). State per
/// parameter: <c>exp_avg</c>, <c>exp_avg_sq</c> (+ <c>max_exp_avg_sq</c>) and the step count.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>AdamW over parameter groups, each overriding <paramref name="options"/> as it likes.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, AdamWOptions? options = null) : base(groups, options ?? new AdamWOptions()) { }

    /// <summary>AdamW over one group of parameters.</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions? options = null) : this([new ParamGroup(parameters)], options) { }

    private protected override IReadOnlyList<string> StateNames(OptimizerOptions options) => AdamFamily.StateNames(((AdamWOptions)options).Amsgrad);

    private protected override void Update(OptimizerOptions options, double lr, Tensor param, Tensor grad, ParamState state)
    {
        var o = (AdamWOptions)options;
        AdamFamily.Update(param, grad, state, new AdamHyper(lr, o.Betas.Beta1, o.Betas.Beta2, o.Eps, o.WeightDecay, true, o.Amsgrad, o.Maximize, state.Step));
    }
}
