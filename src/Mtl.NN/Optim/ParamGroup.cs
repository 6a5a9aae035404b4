// A group of parameters handed to an optimiser, with optional per-group overrides of its hyper-parameters.
namespace Mtl.NN.Optim;

/// <summary>
/// Parameters that share hyper-parameters, as in PyTorch's <c>param_groups</c>. Every option left null takes the
/// optimiser's default from its options record; an option the optimiser does not use (say <see cref="Betas"/> given to
/// SGD) is rejected. Typical use: a smaller learning rate for a pretrained trunk than for the task heads,
/// <code>
/// var opt = new Adam([new ParamGroup(trunk.Parameters()) { Lr = 1e-4 }, new ParamGroup(heads.Parameters())],
///                    new AdamOptions { Lr = 1e-3 });
/// </code>
/// </summary>
public sealed class ParamGroup
{
    /// <summary>A group over <paramref name="parameters"/> (the sequence is copied).</summary>
    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Params = parameters.ToArray();
    }

    /// <summary>The parameters of the group, in order.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>Learning rate (all optimisers).</summary>
    public double? Lr { get; init; }

    /// <summary>Weight decay (all optimisers; L2 added to the gradient, or decoupled for AdamW).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Ascend instead of descend (all optimisers).</summary>
    public bool? Maximize { get; init; }

    /// <summary>Momentum factor (SGD, RMSprop).</summary>
    public double? Momentum { get; init; }

    /// <summary>Dampening of the momentum (SGD).</summary>
    public double? Dampening { get; init; }

    /// <summary>Nesterov momentum (SGD).</summary>
    public bool? Nesterov { get; init; }

    /// <summary>Decay rates of the first and second moment averages (Adam, AdamW).</summary>
    public (double Beta1, double Beta2)? Betas { get; init; }

    /// <summary>Term added to the denominator for numerical stability (Adam, AdamW, RMSprop).</summary>
    public double? Eps { get; init; }

    /// <summary>Use the AMSGrad variant (Adam, AdamW).</summary>
    public bool? Amsgrad { get; init; }

    /// <summary>Smoothing constant of the squared-gradient average (RMSprop).</summary>
    public double? Alpha { get; init; }

    /// <summary>Normalise by the estimated variance of the gradient (RMSprop).</summary>
    public bool? Centered { get; init; }

    /// <summary>Names of the options this group overrides, for checking them against what an optimiser uses.</summary>
    internal IEnumerable<string> Overridden()
    {
        if (Lr is not null) yield return nameof(Lr);
        if (WeightDecay is not null) yield return nameof(WeightDecay);
        if (Maximize is not null) yield return nameof(Maximize);
        if (Momentum is not null) yield return nameof(Momentum);
        if (Dampening is not null) yield return nameof(Dampening);
        if (Nesterov is not null) yield return nameof(Nesterov);
        if (Betas is not null) yield return nameof(Betas);
        if (Eps is not null) yield return nameof(Eps);
        if (Amsgrad is not null) yield return nameof(Amsgrad);
        if (Alpha is not null) yield return nameof(Alpha);
        if (Centered is not null) yield return nameof(Centered);
    }
}
