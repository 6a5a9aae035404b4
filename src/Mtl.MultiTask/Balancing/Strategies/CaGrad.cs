// CAGrad (Liu et al. 2021): the mean gradient moved, within a ball around it, towards the worst-off task.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="CaGrad"/>.</summary>
public sealed record CaGradOptions
{
    /// <summary>
    /// c, the radius of the ball around the mean gradient as a fraction of its norm (√φ = c·‖g₀‖). 0.4 is the paper's
    /// value for NYUv2 and Cityscapes (its official scripts' <c>--alpha 0.4</c>); LibMTL's <c>calpha</c> defaults to
    /// 0.5. The paper proves convergence for 0 ≤ c &lt; 1; c = 0 is plain mean-gradient descent.
    /// </summary>
    public double C { get; init; } = 0.4;

    /// <summary>
    /// How the result is rescaled: 0 none, 1 divided by 1 + c² (the default of the official code and LibMTL),
    /// 2 divided by 1 + c.
    /// </summary>
    public int Rescale { get; init; } = 1;
}

/// <summary>
/// Conflict-Averse Gradient descent (Liu, Liu, Jin, Stone &amp; Liu, NeurIPS 2021, "Conflict-Averse Gradient Descent
/// for Multi-task Learning"): the update d maximises the worst task's improvement minᵢ gᵢᵀd within the ball
/// ‖d − g₀‖ ≤ √φ around the mean gradient g₀, √φ = c·‖g₀‖. Through its dual, d = g₀ + (√φ/‖g_w‖)·g_w where
/// g_w = Σ wᵢgᵢ and w minimises g_wᵀg₀ + √φ·‖g_w‖ over the simplex (<see cref="ConflictAverseSolver"/>, on the
/// Gramian). The reported weights are exact: d = Σₖ (1/K + (√φ/‖g_w‖)·wₖ)·gₖ, divided by the rescale factor.
/// When ‖g_w‖ = 0 (the gradients' hull contains 0) the ball term vanishes and d = g₀, as in LibMTL (whose 1e-8 in
/// the denominator has that effect). Like LibMTL, not defined on representation gradients.
/// </summary>
public sealed class CaGrad : BalancingStrategy
{
    private readonly double _c;
    private readonly double _rescale;
    private ConflictAverseSolver? _solver;
    private double[] _w = [];

    /// <summary>A CAGrad strategy with the given options.</summary>
    public CaGrad(CaGradOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.C) || options.C < 0) throw new ArgumentException($"strategy 'cagrad': C must be finite and ≥ 0, got {options.C}");
        _c = options.C;
        _rescale = options.Rescale switch
        {
            0 => 1,
            1 => 1 + _c * _c,
            2 => 1 + _c,
            _ => throw new ArgumentException($"strategy 'cagrad': Rescale must be 0, 1 or 2, got {options.Rescale}"),
        };
    }

    public override bool NeedsGradients => true;

    protected override void Initialize(int tasks)
    {
        _solver = new ConflictAverseSolver(tasks);
        _w = new double[tasks];
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        double sum = 0;
        foreach (var x in gram) sum += x;
        double g0Norm = Math.Sqrt(Math.Max(sum, 0)) / k;   // ‖g₀‖² = Σᵢⱼ Gᵢⱼ / K²
        double radius = _c * g0Norm;                        // √φ
        double lambda = 0;
        if (radius > 0)
        {
            _solver!.Solve(gram, radius, _w);
            double quad = 0;
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) quad += _w[i] * gram[i, j] * _w[j];
            double gwNorm = Math.Sqrt(Math.Max(quad, 0));
            if (gwNorm > 1e-12 * g0Norm) lambda = radius / gwNorm;
        }
        for (int i = 0; i < k; i++) weights[i] = (1.0 / k + lambda * _w[i]) / _rescale;
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
