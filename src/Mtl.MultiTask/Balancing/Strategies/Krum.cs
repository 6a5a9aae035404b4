// Krum / Multi-Krum (Blanchard et al. 2017): average the m rows closest to their neighbours, ignoring outliers.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="Krum"/>.</summary>
public sealed record KrumOptions
{
    /// <summary>
    /// f, the number of rows that may be arbitrary (Byzantine); torchjd's <c>n_byzantine</c> (required there, no
    /// default). Krum needs K ≥ f + 3, so f is clamped to max(0, K − 3) (see <see cref="Krum"/>).
    /// </summary>
    public int F { get; init; } = 1;

    /// <summary>m, how many best-scored rows are averaged (1 = Krum, &gt; 1 = Multi-Krum); torchjd's <c>n_selected</c>, default 1. Clamped to K.</summary>
    public int Selected { get; init; } = 1;
}

/// <summary>
/// Krum (Blanchard, El Mhamdi, Guerraoui &amp; Stainer, NeurIPS 2017, "Machine Learning with Adversaries: Byzantine
/// Tolerant Gradient Descent"), as a robust aggregator of the task gradients (torchjd's <c>Krum</c>): row i's score is
/// the sum of the squared distances to its K − f − 2 nearest other rows, ‖gᵢ − gⱼ‖² = Gᵢᵢ + Gⱼⱼ − 2Gᵢⱼ from the
/// Gramian; the m rows with the lowest scores are averaged (weights 1/m on them, 0 elsewhere). The paper scores with
/// squared distances; torchjd sums plain distances. Ties go to the lower task index.
/// <para>
/// Small K: f is clamped to max(0, K − 3) so that every row has at least one neighbour in its score; with K ≤ 2 no row
/// can be told apart from the others (K = 2: both scores are the one distance) and all rows are averaged (K = 1:
/// plain gradient descent). m is clamped to K. Defined for any set of vectors, so also on representation gradients.
/// </para>
/// </summary>
public sealed class Krum : BalancingStrategy
{
    private readonly int _f;
    private readonly int _selected;
    private double[] _scores = [], _nearest = [];
    private int[] _order = [];

    /// <summary>A Krum strategy with the given options.</summary>
    public Krum(KrumOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.F < 0) throw new ArgumentException($"strategy 'krum': F must be ≥ 0, got {options.F}");
        if (options.Selected < 1) throw new ArgumentException($"strategy 'krum': Selected must be ≥ 1, got {options.Selected}");
        _f = options.F;
        _selected = options.Selected;
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks)
    {
        _scores = new double[tasks];
        _nearest = new double[tasks];
        _order = new int[tasks];
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        if (k <= 2)
        {
            weights.Fill(1.0 / k);
            gradients.WeightedSum(weights, combined);
            return true;
        }
        var gram = gradients.Gramian();
        int f = Math.Min(_f, k - 3);
        int neighbours = k - f - 2;   // ≥ 1
        for (int i = 0; i < k; i++)
        {
            int m = 0;
            for (int j = 0; j < k; j++)
                if (j != i) _nearest[m++] = Math.Max(gram[i, i] + gram[j, j] - 2 * gram[i, j], 0);
            var others = _nearest.AsSpan(0, m);
            others.Sort();
            double score = 0;
            for (int n = 0; n < neighbours; n++) score += others[n];
            _scores[i] = score;
            _order[i] = i;
        }
        // Stable selection of the m lowest scores (insertion sort keeps ties in index order).
        for (int a = 1; a < k; a++)
        {
            int idx = _order[a];
            int b = a - 1;
            while (b >= 0 && _scores[_order[b]] > _scores[idx]) { _order[b + 1] = _order[b]; b--; }
            _order[b + 1] = idx;
        }
        int selected = Math.Min(_selected, k);
        weights.Clear();
        for (int a = 0; a < selected; a++) weights[_order[a]] = 1.0 / selected;
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
