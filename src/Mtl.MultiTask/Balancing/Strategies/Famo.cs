// FAMO (Liu et al. 2023): loss weights from learned task logits ξ, normalised by the losses; ξ learns from log-loss progress.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="Famo"/>.</summary>
public sealed record FamoOptions
{
    /// <summary>Learning rate β of the Adam that updates the task logits ξ (paper and LibMTL: 0.025).</summary>
    public double Lr { get; init; } = 0.025;

    /// <summary>Weight decay γ on ξ, added to its gradient as in the official code's Adam (paper and LibMTL: 0.001).</summary>
    public double Gamma { get; init; } = 0.001;
}

/// <summary>
/// Liu, Liu, Stone and Liu, "FAMO: Fast Adaptive Multitask Optimization", NeurIPS 2023, in its log-loss form.
/// With z = softmax(ξ) and Dₖ = Lₖ + 1e-8 (the official code's guard; its minimum losses are 0), the step minimises
/// Σₖ (zₖ/c)·log Dₖ with c = Σⱼ zⱼ/Dⱼ held constant, i.e. loss weights wₖ = (zₖ/Dₖ)/Σⱼ(zⱼ/Dⱼ) (they sum to 1).
/// The logits learn from how much each log loss fell: δₖ = log Dₖ(previous) − log Dₖ(now), and ξ takes one Adam step
/// (β 0.9/0.999, ε 1e-8, weight decay γ) along Jᵀδ, J the softmax Jacobian — (Jᵀδ)ₖ = zₖ(δₖ − Σⱼ zⱼδⱼ) — so a task
/// whose loss fell less than average gains weight. ξ starts at 0 (equal weights).
/// <para>Difference from the paper: the paper (and LibMTL) re-evaluates the same batch after the model's step to get
/// δ; a strategy that sees only losses uses the previous call's losses instead, so at each call ξ is first updated
/// from (previous losses → these losses) and the weights then come from the updated ξ — the same order as the paper,
/// with δ measured across consecutive batches.</para>
/// State: ξ, Adam's moments and the previous call's losses.
/// </summary>
public sealed class Famo : BalancingStrategy
{
    private const double Tiny = 1e-8;
    private readonly StrategyAdam _adam;
    private double[] _xi = [], _z = [], _previous = [], _grad = [];
    private bool _hasPrevious;

    public Famo(FamoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _adam = new StrategyAdam(LossWeightingMath.Positive("famo", "Lr", options.Lr, allowZero: true),
            LossWeightingMath.Positive("famo", "Gamma", options.Gamma, allowZero: true));
    }

    /// <summary>The task logits ξ (empty before the first call); softmax(ξ) are the paper's task weights z.</summary>
    public IReadOnlyList<double> Logits => _xi;

    public override bool NeedsGradients => false;

    protected override void Initialize(int tasks)
    {
        _xi = new double[tasks];
        _z = new double[tasks];
        _previous = new double[tasks];
        _grad = new double[tasks];
        _hasPrevious = false;
        _adam.Reset(tasks);
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        var losses = step.Losses;
        LossWeightingMath.RequireNonNegative(Name, losses);
        int k = weights.Length;
        if (_hasPrevious) UpdateLogits(losses);
        LossWeightingMath.Softmax(_xi, _z);
        double c = 0;
        for (int i = 0; i < k; i++) c += weights[i] = _z[i] / (losses[i] + Tiny);
        for (int i = 0; i < k; i++) weights[i] /= c;
        for (int i = 0; i < k; i++) _previous[i] = losses[i];
        _hasPrevious = true;
    }

    // δ = log D(previous) − log D(now); ξ ← Adam step along Jᵀδ = z∘(δ − zᵀδ).
    private void UpdateLogits(IReadOnlyList<double> losses)
    {
        int k = _xi.Length;
        LossWeightingMath.Softmax(_xi, _z);
        double mean = 0;
        for (int i = 0; i < k; i++)
        {
            _grad[i] = Math.Log(_previous[i] + Tiny) - Math.Log(losses[i] + Tiny);
            mean += _z[i] * _grad[i];
        }
        for (int i = 0; i < k; i++) _grad[i] = _z[i] * (_grad[i] - mean);
        _adam.Step(_xi, _grad);
    }

    protected override void OnReset()
    {
        _xi = _z = _previous = _grad = [];
        _hasPrevious = false;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("logits", _xi);
        _adam.Write(state, "adam");
        state.Set("has_previous", _hasPrevious ? 1 : 0);
        state.Set("previous_losses", _previous);
    }

    protected override void ReadState(StrategyState state)
    {
        _xi = state.GetArray("logits", Tasks);
        _adam.Read(state, "adam");
        _hasPrevious = state.GetNumber("has_previous") != 0;
        _previous = state.GetArray("previous_losses", Tasks);
    }
}
