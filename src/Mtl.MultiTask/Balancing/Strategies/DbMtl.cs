// DB-MTL (Lin et al. 2023): moving averages of the log-loss gradients, each rescaled to the largest norm, then summed.
using System.Numerics.Tensors;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="DbMtl"/>.</summary>
public sealed record DbMtlOptions
{
    /// <summary>β of the gradients' moving average (LibMTL's <c>DB_beta</c>, 0.9, by the paper's authors).</summary>
    public double Beta { get; init; } = 0.9;

    /// <summary>
    /// σ of the decaying rate βₜ = β/tˢ (LibMTL's <c>DB_beta_sigma</c>; its default 0 keeps βₜ = β constant).
    /// </summary>
    public double BetaSigma { get; init; }
}

/// <summary>
/// Dual-balancing (Lin, Jiang, Ye, Zhang, Chen, Chen, Liu, Tsang &amp; Kwok 2023, "Dual-Balancing for Multi-Task
/// Learning"). Loss balancing: each task's gradient is that of log Lₖ, gₖ/(Lₖ + 1e-8) (LibMTL's ε). Gradient balancing:
/// a moving average per task ĝₖ ← βₜ·ĝₖ + (1 − βₜ)·gₖ/(Lₖ + 1e-8) with βₜ = β/tˢ (t = this strategy's call count,
/// ĝ starting at 0), then every ĝₖ is rescaled to the largest norm: combined = Σₖ (maxⱼ‖ĝⱼ‖/‖ĝₖ‖)·ĝₖ (a zero ĝₖ
/// contributes nothing; LibMTL adds 1e-8 to ‖ĝₖ‖).
/// <para>
/// The moving averages mix gradients of earlier steps, so the result is no combination wᵀG of this step's rows and no
/// weights are returned. State: the K×P average (allocated on the first call, P fixed from then on — a different P is
/// refused) and the step count, both saved. Shared parameters only (as LibMTL): averaging representation gradients
/// across batches of different samples has no meaning. Losses must be non-negative (log).
/// </para>
/// </summary>
public sealed class DbMtl : BalancingStrategy
{
    private const double LossEpsilon = 1e-8;
    private readonly double _beta, _sigma;
    private double[]? _average;   // ĝ, row-major K×P
    private long _steps;

    public DbMtl(DbMtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Beta >= 0 && options.Beta <= 1)) throw new ArgumentException($"strategy 'dbmtl': Beta must be in [0, 1], got {options.Beta}");
        if (!(options.BetaSigma >= 0) || !double.IsFinite(options.BetaSigma)) throw new ArgumentException($"strategy 'dbmtl': BetaSigma must be finite and ≥ 0, got {options.BetaSigma}");
        _beta = options.Beta;
        _sigma = options.BetaSigma;
    }

    public override bool NeedsGradients => true;

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks, p = gradients.Size;
        for (int t = 0; t < k; t++)
            if (step.Losses[t] < 0) throw new ArgumentException($"strategy '{Name}' balances log Lₖ and needs non-negative task losses; task {t} has {step.Losses[t]}");
        if (_average is null) _average = new double[k * p];
        else if (_average.Length != k * p)
            throw new ArgumentException($"strategy '{Name}' keeps moving averages of gradients of length {_average.Length / k} and is now given length {p}; call Reset() to start over");
        _steps++;
        double beta = _sigma == 0 ? _beta : _beta / Math.Pow(_steps, _sigma);
        double max = 0;
        Span<double> norms = stackalloc double[k];
        for (int t = 0; t < k; t++)
        {
            var avg = _average.AsSpan(t * p, p);
            TensorPrimitives.Multiply(avg, beta, avg);
            TensorPrimitives.MultiplyAdd(gradients.Row(t), (1 - beta) / (step.Losses[t] + LossEpsilon), avg, avg);
            norms[t] = Math.Sqrt(TensorPrimitives.Dot<double>(avg, avg));
            max = Math.Max(max, norms[t]);
        }
        combined.Clear();
        for (int t = 0; t < k; t++)
            if (norms[t] > 0) TensorPrimitives.MultiplyAdd(_average.AsSpan(t * p, p), max / norms[t], combined, combined);
        return false;
    }

    protected override void OnReset()
    {
        _average = null;
        _steps = 0;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("steps", _steps);
        state.Set("average", _average ?? []);
    }

    protected override void ReadState(StrategyState state)
    {
        _steps = checked((long)state.GetNumber("steps"));
        var average = state.GetArray("average");
        if (average.Length % Tasks != 0)
            throw new ArgumentException($"strategy '{Name}': state 'average' has {average.Length} values, not a multiple of {Tasks} tasks");
        _average = average.Length == 0 ? null : average;
    }
}
