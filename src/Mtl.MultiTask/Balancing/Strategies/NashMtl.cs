// Nash-MTL (Navon et al. 2022): the Nash bargaining solution, weights α with GᵀGα = 1/α, then a norm clip.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="NashMtl"/>.</summary>
public sealed record NashMtlOptions
{
    /// <summary>
    /// Solve for new weights every this many steps and reuse the last ones in between (the paper's speed-up; 1 in
    /// the paper's main results, LibMTL and torchjd).
    /// </summary>
    public int UpdateWeightsEvery { get; init; } = 1;

    /// <summary>
    /// The cap on solver iterations per solve (LibMTL/torchjd: 20 iterations of the paper's sequence of convex
    /// problems). Here they are damped Newton steps, which usually converge in under 10; a capped solve returns the
    /// current positive iterate, as LibMTL returns its last one.
    /// </summary>
    public int OptimIters { get; init; } = 20;

    /// <summary>
    /// When &gt; 0, the combined gradient Σαₖgₖ is scaled down to this norm if it is longer (the official code, LibMTL
    /// and torchjd clip the shared parameters' gradient to <c>max_norm</c> = 1.0); 0 turns clipping off.
    /// </summary>
    public double MaxNorm { get; init; } = 1.0;
}

/// <summary>
/// Nash-MTL (Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik &amp; Fetaya, ICML 2022, "Multi-Task Learning as a
/// Bargaining Game"): the update d = Σ αₖgₖ is the Nash bargaining solution of the tasks, characterised by
/// (GᵀG)α = 1/α elementwise with α &gt; 0, i.e. every task gets gₖᵀd = 1/αₖ. The paper approximates it by a
/// sequence of convex problems (cvxpy/ECOS); here <see cref="AlphaFairSolver"/> (α-fairness with α = 1) solves the
/// same equation by damped Newton on the K×K Gramian. As in the official code, when
/// <see cref="NashMtlOptions.MaxNorm"/> &gt; 0 and ‖d‖ exceeds it, α and d are scaled by MaxNorm/‖d‖; the weights
/// reported are the ones applied. Orthogonal gradients get αₖ = 1/‖gₖ‖ (every task advances by one unit). A task
/// whose gradient is exactly zero has no finite α; it gets weight 0 (it adds nothing to d either way).
/// Each solve starts afresh from the orthogonal-gradient guess (LibMTL warm-starts from the previous α; with Newton
/// the answer is the same to the solver's tolerance), so the state is the step counter and the last α (for
/// <see cref="NashMtlOptions.UpdateWeightsEvery"/> &gt; 1). Like LibMTL, not defined on representation gradients.
/// </summary>
public sealed class NashMtl : BalancingStrategy
{
    private readonly NashMtlOptions _options;
    private AlphaFairSolver? _solver;
    private double[] _alpha = [];
    private long _calls;

    /// <summary>A Nash-MTL strategy with the given options.</summary>
    public NashMtl(NashMtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.UpdateWeightsEvery < 1) throw new ArgumentException($"strategy 'nashmtl': UpdateWeightsEvery must be ≥ 1, got {options.UpdateWeightsEvery}");
        if (options.OptimIters < 1) throw new ArgumentException($"strategy 'nashmtl': OptimIters must be ≥ 1, got {options.OptimIters}");
        if (!double.IsFinite(options.MaxNorm) || options.MaxNorm < 0) throw new ArgumentException($"strategy 'nashmtl': MaxNorm must be finite and ≥ 0, got {options.MaxNorm}");
        _options = options;
    }

    public override bool NeedsGradients => true;

    protected override void Initialize(int tasks)
    {
        _solver = new AlphaFairSolver(tasks);
        _alpha = new double[tasks];
        _calls = 0;
    }

    protected override void OnReset()
    {
        _solver = null;
        _alpha = [];
        _calls = 0;
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        var gram = gradients.Gramian();
        if (_calls % _options.UpdateWeightsEvery == 0)
        {
            _solver!.Solve(gram, 1.0, _alpha, _options.OptimIters);
            ZeroRowsGetZeroWeight(gram, _alpha);
        }
        _calls++;
        _alpha.CopyTo(weights);
        ClipToNorm(gram, weights, _options.MaxNorm);
        gradients.WeightedSum(weights, combined);
        return true;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("calls", _calls);
        state.Set("alpha", _alpha);
    }

    protected override void ReadState(StrategyState state)
    {
        _calls = checked((long)state.GetNumber("calls"));
        state.GetArray("alpha", _alpha.Length).CopyTo(_alpha, 0);
    }

    // A zero task gradient has no finite Nash/α-fair weight (the solver's ridge makes it huge); it adds nothing to the
    // combination either way, so it is reported as 0.
    internal static void ZeroRowsGetZeroWeight(double[,] gram, Span<double> w)
    {
        for (int i = 0; i < w.Length; i++)
            if (gram[i, i] == 0) w[i] = 0;
    }

    // Scales w so that ‖Σ wₖgₖ‖ = √(wᵀGw) is at most maxNorm (0: no clipping).
    internal static void ClipToNorm(double[,] gram, Span<double> w, double maxNorm)
    {
        if (maxNorm <= 0) return;
        int k = w.Length;
        double quad = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) quad += w[i] * gram[i, j] * w[j];
        double norm = Math.Sqrt(Math.Max(quad, 0));
        if (norm > maxNorm)
            for (int i = 0; i < k; i++) w[i] *= maxNorm / norm;
    }
}
