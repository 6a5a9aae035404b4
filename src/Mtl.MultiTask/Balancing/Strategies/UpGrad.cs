// UPGrad (Quinton & Rey 2024): project every task gradient onto the dual cone of all of them, then average.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>
/// UPGrad, "unconflicting projection of gradients" (Quinton &amp; Rey, 2024, "Jacobian Descent for Multi-Objective
/// Optimization"; torchjd's <c>UPGrad</c>): each task gradient, scaled by its preference pᵢ, is projected onto the
/// dual cone {x : gⱼᵀx ≥ 0 ∀j} of all task gradients, and the projections are summed: d = Σᵢ π(pᵢgᵢ). Each projection
/// is computed in weight space on the Gramian (<see cref="DualConeProjector"/>: π(Jᵀu) = Jᵀv with v = argmin vᵀGv,
/// v ≥ u), so the weights are exact: w = Σᵢ vᵢ. The result conflicts with no task (gⱼᵀd ≥ 0 for all j) and is the
/// mean gradient whenever no two task gradients conflict. The Gramian is divided by its trace first (torchjd's
/// normalisation; the projection does not depend on scale); an all-zero Gramian gives w = p. Defined for any matrix of
/// vectors, so also on representation gradients.
/// </summary>
public sealed class UpGrad : BalancingStrategy
{
    private readonly DualConeSetup _setup;
    private DualConeProjector? _projector;
    private double[] _u = [], _v = [];

    /// <summary>An UPGrad strategy with the given options.</summary>
    public UpGrad(DualConeOptions options) => _setup = new DualConeSetup("upgrad", options);

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks)
    {
        _setup.Check(tasks);
        _projector = new DualConeProjector(tasks);
        _u = new double[tasks];
        _v = new double[tasks];
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = _setup.Normalize(gradients.Gramian());
        weights.Clear();
        for (int i = 0; i < k; i++)
        {
            double p = _setup.Preference(i, k);
            if (p == 0) continue;
            Array.Clear(_u);
            _u[i] = p;
            if (gram is null) _u.CopyTo(_v, 0);
            else _projector!.Project(gram, _u, _v);
            for (int j = 0; j < k; j++) weights[j] += _v[j];
        }
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
