// DualProj (Quinton & Rey 2024): project the mean gradient onto the dual cone of the task gradients.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>
/// DualProj (Quinton &amp; Rey, 2024, "Jacobian Descent for Multi-Objective Optimization"; torchjd's <c>DualProj</c>,
/// Equation 11 of GEM, Lopez-Paz &amp; Ranzato 2017): the preference-weighted mean Σ pᵢgᵢ (default pᵢ = 1/K) projected
/// onto the dual cone {x : gⱼᵀx ≥ 0 ∀j} of the task gradients. Computed on the Gramian by
/// <see cref="DualConeProjector"/> (weights v = argmin vᵀGv, v ≥ p), so the weights are exact. The result conflicts
/// with no task and equals the mean when the mean conflicts with none. Options as for <see cref="UpGrad"/>
/// (<see cref="DualConeOptions"/>). Defined for any matrix of vectors, so also on representation gradients.
/// </summary>
public sealed class DualProj : BalancingStrategy
{
    private readonly DualConeSetup _setup;
    private DualConeProjector? _projector;
    private double[] _u = [];

    /// <summary>A DualProj strategy with the given options.</summary>
    public DualProj(DualConeOptions options) => _setup = new DualConeSetup("dualproj", options);

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks)
    {
        _setup.Check(tasks);
        _projector = new DualConeProjector(tasks);
        _u = new double[tasks];
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        for (int i = 0; i < k; i++) _u[i] = _setup.Preference(i, k);
        var gram = _setup.Normalize(gradients.Gramian());
        if (gram is null) _u.CopyTo(weights);
        else _projector!.Project(gram, _u, weights);
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
