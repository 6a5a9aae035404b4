// FairGrad (Ban & Ji 2024): α-fair task weights, the positive solution of G·w = w^(−1/α).
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="FairGrad"/>.</summary>
public sealed record FairGradOptions
{
    /// <summary>
    /// α of the α-fair utility: 1 is proportional fairness (the Nash-MTL equation), α → ∞ approaches max-min
    /// fairness, α → 0 the plain sum of improvements. 1.0 is the default of the official code and of LibMTL
    /// (<c>FairGrad_alpha</c>); the paper's released run scripts use 2.0 on every supervised benchmark.
    /// </summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>
    /// When &gt; 0, the combined gradient is scaled down to this norm if longer. 0 (off) follows LibMTL; the official
    /// code clips the shared parameters' gradient to 1.0.
    /// </summary>
    public double MaxNorm { get; init; }
}

/// <summary>
/// FairGrad (Ban &amp; Ji, ICML 2024, "Fair Resource Allocation in Multi-Task Learning"): the update d = Σ wₖgₖ
/// maximises the α-fair utility Σₖ (gₖᵀd)^(1−α)/(1−α) of the tasks' improvements over a ball; its weights solve
/// (GGᵀ)w = w^(−1/α) elementwise with w &gt; 0. LibMTL and the official code solve it with scipy's least_squares from
/// w = 1/K; here <see cref="AlphaFairSolver"/> solves it by damped Newton on the K×K Gramian. At α = 1 it is the
/// Nash-MTL equation (the paper's proportional-fairness case), so <c>fairgrad</c> with Alpha = 1 weights exactly as
/// <c>nashmtl</c> with MaxNorm = 0. A task whose gradient is exactly zero gets weight 0 (it has no finite α-fair
/// weight and adds nothing to d). Stateless; like LibMTL, not defined on representation gradients.
/// </summary>
public sealed class FairGrad : BalancingStrategy
{
    private readonly double _alpha;
    private readonly double _maxNorm;
    private AlphaFairSolver? _solver;

    /// <summary>A FairGrad strategy with the given options.</summary>
    public FairGrad(FairGradOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.Alpha) || options.Alpha <= 0) throw new ArgumentException($"strategy 'fairgrad': Alpha must be finite and > 0, got {options.Alpha}");
        if (!double.IsFinite(options.MaxNorm) || options.MaxNorm < 0) throw new ArgumentException($"strategy 'fairgrad': MaxNorm must be finite and ≥ 0, got {options.MaxNorm}");
        _alpha = options.Alpha;
        _maxNorm = options.MaxNorm;
    }

    public override bool NeedsGradients => true;

    protected override void Initialize(int tasks) => _solver = new AlphaFairSolver(tasks);

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        var gram = gradients.Gramian();
        _solver!.Solve(gram, _alpha, weights);
        NashMtl.ZeroRowsGetZeroWeight(gram, weights);
        NashMtl.ClipToNorm(gram, weights, _maxNorm);
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
