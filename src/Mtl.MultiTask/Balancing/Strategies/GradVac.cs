// Gradient Vaccine (Wang et al. 2021): raise each task pair's gradient cosine to a moving-average target, then sum.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="GradVac"/>.</summary>
public sealed record GradVacOptions
{
    /// <summary>
    /// β of the targets' moving average φ̂ᵢⱼ ← (1 − β)·φ̂ᵢⱼ + β·φᵢⱼ. Default 0.01, the paper's (β = 1e-2);
    /// LibMTL's default <c>GradVac_beta</c> is 0.5.
    /// </summary>
    public double Beta { get; init; } = 0.01;

    /// <summary>Seed of the generator that shuffles the order of the other tasks for each task (paper and LibMTL shuffle).</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Gradient Vaccine (Wang, Tsvetkov, Firat &amp; Cao 2021, "Gradient Vaccine: Investigating and Improving Multi-task
/// Optimization in Massively Multilingual Models"). For each task i, gᵢ' starts as gᵢ; for every other task j in a
/// random order, with φ = cos(gᵢ', gⱼ) and the target φ̂ᵢⱼ: when φ &lt; φ̂ᵢⱼ,
/// gᵢ' += ‖gᵢ'‖·(φ̂ᵢⱼ·√(1 − φ²) − φ·√(1 − φ̂ᵢⱼ²)) / (‖gⱼ‖·√(1 − φ̂ᵢⱼ²))·gⱼ, which makes cos(gᵢ', gⱼ) = φ̂ᵢⱼ exactly;
/// then φ̂ᵢⱼ ← (1 − β)·φ̂ᵢⱼ + β·φ (φ measured before the projection, as in the paper and LibMTL). The result is
/// Σᵢ gᵢ'. Targets start at 0, so the first step is PCGrad. Work is done on the K×K Gramian (gᵢ' = cᵢᵀG) and the
/// weights reported are Σᵢ cᵢ (combined = wᵀG exactly).
/// <para>
/// One target per task pair for the whole gradient (LibMTL's <c>GradVac_group_type = 0</c>, "whole model"): the
/// paper's per-layer targets need the layer structure, which the K×P matrix does not carry. Shared parameters only, as
/// LibMTL (its targets are averages over steps of the same parameters). Guards: a zero gradient gives φ = 0 and no
/// projection; φ is clamped to [−1, 1]; √(1 − φ̂²) is floored at 1e-8 (LibMTL adds 1e-8 to the whole denominator,
/// which is not scale-free).
/// </para>
/// </summary>
public sealed class GradVac : BalancingStrategy
{
    private const double SineFloor = 1e-8;
    private readonly Generator _generator;
    private readonly ulong _seed;
    private readonly double _beta;
    private double[] _targets = [];   // φ̂ᵢⱼ, row-major K×K (not symmetric: i's target towards j)

    public GradVac(GradVacOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Beta >= 0 && options.Beta <= 1)) throw new ArgumentException($"strategy 'gradvac': Beta must be in [0, 1], got {options.Beta}");
        _beta = options.Beta;
        _seed = options.Seed;
        _generator = new Generator(options.Seed);
    }

    public override bool NeedsGradients => true;
    public override bool IsStochastic => true;

    /// <summary>The current targets φ̂ (K×K, row i = task i's targets towards each other task; empty before the first call).</summary>
    public double[,] Targets
    {
        get
        {
            int k = Tasks;
            var t = new double[k, k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) t[i, j] = _targets[i * k + j];
            return t;
        }
    }

    protected override void Initialize(int tasks) => _targets = new double[tasks * tasks];

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        Span<int> order = stackalloc int[k];
        Span<double> c = stackalloc double[k];
        weights.Clear();
        for (int i = 0; i < k; i++)
        {
            c.Clear();
            c[i] = 1;
            for (int j = 0; j < k; j++) order[j] = j;
            _generator.Shuffle(order);
            foreach (int j in order)
            {
                if (j == i) continue;
                double dot = 0, self = 0;   // gᵢ'·gⱼ and ‖gᵢ'‖²
                for (int m = 0; m < k; m++)
                {
                    dot += c[m] * gram[m, j];
                    double row = 0;
                    for (int n = 0; n < k; n++) row += gram[m, n] * c[n];
                    self += c[m] * row;
                }
                double normI = Math.Sqrt(Math.Max(self, 0)), normJ = Math.Sqrt(gram[j, j]);
                double phi = normI > 0 && normJ > 0 ? Math.Clamp(dot / (normI * normJ), -1, 1) : 0;
                ref double target = ref _targets[i * k + j];
                if (phi < target && normI > 0 && normJ > 0)
                {
                    double sineTarget = Math.Sqrt(Math.Max(1 - target * target, 0));
                    double sinePhi = Math.Sqrt(1 - phi * phi);
                    c[j] += normI * (target * sinePhi - phi * sineTarget) / (normJ * Math.Max(sineTarget, SineFloor));
                }
                target = (1 - _beta) * target + _beta * phi;
            }
            for (int m = 0; m < k; m++) weights[m] += c[m];
        }
        gradients.WeightedSum(weights, combined);
        return true;
    }

    protected override void OnReset()
    {
        _generator.Reseed(_seed);
        _targets = [];
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("targets", _targets);
        state.Set("generator", _generator);
    }

    protected override void ReadState(StrategyState state)
    {
        _targets = state.GetArray("targets", Tasks * Tasks);
        state.Restore("generator", _generator);
    }
}
