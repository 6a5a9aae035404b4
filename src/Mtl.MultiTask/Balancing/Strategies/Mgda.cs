// MGDA (Sener & Koltun 2018): the min-norm point in the convex hull of the (optionally normalised) task gradients.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="Mgda"/> (registered as <c>mgda</c> and <c>mgda-ub</c>).</summary>
public sealed record MgdaOptions
{
    /// <summary>
    /// How each task gradient gₖ is divided before the min-norm point is sought (LibMTL's <c>mgda_gn</c>, after the
    /// official code's <c>gradient_normalizers</c>): <c>none</c> (1), <c>l2</c> (‖gₖ‖), <c>loss</c> (Lₖ) or
    /// <c>loss+</c> (Lₖ·‖gₖ‖). The paper is silent; the default <c>none</c> is LibMTL's (the official repository's
    /// sample config uses <c>loss+</c>). The loss-based ones need non-negative losses.
    /// </summary>
    public string Normalization { get; init; } = "none";

    /// <summary>Frank-Wolfe iteration cap (official code and LibMTL: 250).</summary>
    public int MaxIterations { get; init; } = MinNormSolver.DefaultMaxIterations;

    /// <summary>
    /// Frank-Wolfe stops when its duality gap is at most this times the largest squared (normalised) gradient norm
    /// (default 1e-8; the official code instead stops when a step changes α by less than 1e-5 in L1).
    /// </summary>
    public double Tolerance { get; init; } = MinNormSolver.DefaultTolerance;

    /// <summary>
    /// True runs the paper's plain Frank-Wolfe iteration only; false (default) adds away steps and the exact affine
    /// correction on the support (see <see cref="MinNormSolver.Solve"/>), without which the result after 250
    /// iterations can still be visibly off the min-norm point.
    /// </summary>
    public bool PlainFrankWolfe { get; init; }
}

/// <summary>
/// Multiple-gradient descent (Sener &amp; Koltun 2018, "Multi-Task Learning as Multi-Objective Optimization"): with
/// ĝₖ = gₖ/nₖ (nₖ from <see cref="MgdaOptions.Normalization"/>), α = argmin over the simplex of ‖Σₖ αₖĝₖ‖², found
/// on the K×K Gramian by <see cref="MinNormSolver"/> (Frank-Wolfe; by default with away steps and an exact correction
/// on the support); the combined gradient is Σₖ αₖĝₖ, so the weights reported are wₖ = αₖ/nₖ (combined = wᵀG exactly). Its inner product with every task gradient is ≥ ‖combined‖²·nₖ ≥ 0: no task
/// loss increases to first order, and it is zero only at a Pareto-stationary point.
/// <para>
/// MGDA-UB (<c>mgda-ub</c>) is the same computation on the gradients w.r.t. the shared representation z (the
/// paper's upper bound, one backward pass through the encoder instead of K): it is the UB variant only when the trainer
/// runs with <c>TrainerOptions.GradientSpace = GradientSpace.Representation</c>; on shared-parameter rows it equals
/// <c>mgda</c> (a strategy cannot tell from the matrix what its rows are). Note that the official code and LibMTL's
/// representation mode apply α to the raw losses; here the normalisation factors are kept in the weights in both
/// spaces (which is what LibMTL does in parameter space), so the non-conflict property holds for every normalisation.
/// </para>
/// </summary>
public sealed class Mgda : BalancingStrategy
{
    private readonly MgdaOptions _options;

    public Mgda(MgdaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Normalization is not ("none" or "l2" or "loss" or "loss+"))
            throw new ArgumentException($"strategy 'mgda': Normalization must be one of none, l2, loss, loss+; got '{options.Normalization}'");
        if (options.MaxIterations < 0) throw new ArgumentException($"strategy 'mgda': MaxIterations must be 0 or more, got {options.MaxIterations}");
        if (!(options.Tolerance >= 0)) throw new ArgumentException($"strategy 'mgda': Tolerance must be 0 or more, got {options.Tolerance}");
        _options = options;
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    /// <summary>Frank-Wolfe iterations of the last call (0 for K ≤ 2, solved in closed form).</summary>
    public int LastIterations { get; private set; }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        Span<double> inv = stackalloc double[k];   // 1/nₖ
        for (int i = 0; i < k; i++) inv[i] = 1 / Normalizer(i, gram[i, i], step.Losses[i]);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) gram[i, j] *= inv[i] * inv[j];   // Gramian of the ĝₖ
        LastIterations = MinNormSolver.Solve(gram, weights, _options.MaxIterations, _options.Tolerance, _options.PlainFrankWolfe);
        for (int i = 0; i < k; i++) weights[i] *= inv[i];
        gradients.WeightedSum(weights, combined);
        return true;
    }

    // nₖ; 1 where the factor vanishes (a zero gradient stays zero under any factor).
    private double Normalizer(int task, double squaredNorm, double loss)
    {
        if (_options.Normalization is "loss" or "loss+" && loss < 0)
            throw new ArgumentException($"strategy '{Name}': Normalization '{_options.Normalization}' needs non-negative task losses, task {task} has {loss}");
        double n = _options.Normalization switch
        {
            "l2" => Math.Sqrt(squaredNorm),
            "loss" => Math.Max(loss, 1e-8),
            "loss+" => Math.Max(loss, 1e-8) * Math.Sqrt(squaredNorm),
            _ => 1,
        };
        return n > 0 ? n : 1;
    }
}
