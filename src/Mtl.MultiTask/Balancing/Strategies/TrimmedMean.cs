// Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate, drop the t largest and t smallest values, average the rest.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="TrimmedMean"/>.</summary>
public sealed record TrimmedMeanOptions
{
    /// <summary>
    /// t, how many values are removed from each end of every coordinate (torchjd's <c>trim_number</c>, required there;
    /// 1 here: the median of three tasks). Clamped to ⌊(K − 1)/2⌋ so that at least one value remains.
    /// </summary>
    public int Trim { get; init; } = 1;
}

/// <summary>
/// Coordinate-wise trimmed mean (Yin, Chen, Ramchandran &amp; Bartlett, ICML 2018, "Byzantine-Robust Distributed
/// Learning: Towards Optimal Statistical Rates"; torchjd's <c>TrimmedMean</c>): for every coordinate j the K values
/// gₖ[j] are sorted, the t smallest and t largest dropped, and the remaining K − 2t averaged. With K = 3 and t = 1 it
/// is the coordinate-wise median. The result is no combination wᵀG of the rows, so no weights are reported. t is
/// clamped to ⌊(K − 1)/2⌋ (K = 1: the gradient itself; K = 2: the mean). O(K·P) with a K-sized buffer kept between
/// calls; nothing is allocated per call. Defined for any set of vectors, so also on representation gradients.
/// </summary>
public sealed class TrimmedMean : BalancingStrategy
{
    private readonly int _trim;
    private double[] _column = [];

    /// <summary>A trimmed-mean strategy with the given options.</summary>
    public TrimmedMean(TrimmedMeanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Trim < 0) throw new ArgumentException($"strategy 'trimmedmean': Trim must be ≥ 0, got {options.Trim}");
        _trim = options.Trim;
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks) => _column = new double[tasks];

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks, p = gradients.Size;
        int t = Math.Min(_trim, (k - 1) / 2);
        double scale = 1.0 / (k - 2 * t);
        var data = gradients.Data;   // (K, P) row-major
        var column = _column.AsSpan();
        for (int j = 0; j < p; j++)
        {
            for (int r = 0; r < k; r++) column[r] = data[r * p + j];
            // Insertion sort: K is small.
            for (int a = 1; a < k; a++)
            {
                double x = column[a];
                int b = a - 1;
                while (b >= 0 && column[b] > x) { column[b + 1] = column[b]; b--; }
                column[b + 1] = x;
            }
            double sum = 0;
            for (int r = t; r < k - t; r++) sum += column[r];
            combined[j] = sum * scale;
        }
        return false;
    }
}
