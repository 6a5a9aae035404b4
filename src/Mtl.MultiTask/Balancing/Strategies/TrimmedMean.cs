// Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate, drop the t largest and t smallest values, average the rest.
using System.Numerics.Tensors;

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
/// clamped to ⌊(K − 1)/2⌋ (K = 1: the gradient itself; K = 2: the mean). Defined for any set of vectors, so also on
/// representation gradients.
/// <para>
/// The columns are processed in blocks of 256: a block of the K rows is copied into a K×256 buffer kept between calls
/// (nothing is allocated per call) and sorted column-wise by an odd–even transposition network of vectorised
/// min/max (K passes), so the work is O(K²·P) branch-free vector operations — O(K·P) reads of the gradients.
/// </para>
/// </summary>
public sealed class TrimmedMean : BalancingStrategy
{
    private const int Block = 256;
    private readonly int _trim;
    private double[] _block = [], _low = [];

    /// <summary>A trimmed-mean strategy with the given options.</summary>
    public TrimmedMean(TrimmedMeanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Trim < 0) throw new ArgumentException($"strategy 'trimmedmean': Trim must be ≥ 0, got {options.Trim}");
        _trim = options.Trim;
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks)
    {
        _block = new double[tasks * Block];
        _low = new double[Block];
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks, p = gradients.Size;
        int t = Math.Min(_trim, (k - 1) / 2);
        double scale = 1.0 / (k - 2 * t);
        var data = gradients.Data;   // (K, P) row-major
        for (int start = 0; start < p; start += Block)
        {
            int b = Math.Min(Block, p - start);
            for (int r = 0; r < k; r++) data.Slice(r * p + start, b).CopyTo(_block.AsSpan(r * Block, b));
            // Odd–even transposition sort of every column: after K passes row r holds the (r+1)-th smallest value.
            var low = _low.AsSpan(0, b);
            for (int pass = 0; pass < k; pass++)
                for (int r = pass & 1; r + 1 < k; r += 2)
                {
                    var upper = _block.AsSpan(r * Block, b);
                    var lower = _block.AsSpan((r + 1) * Block, b);
                    TensorPrimitives.Min<double>(upper, lower, low);
                    TensorPrimitives.Max<double>(upper, lower, lower);
                    low.CopyTo(upper);
                }
            var into = combined.Slice(start, b);
            _block.AsSpan(t * Block, b).CopyTo(into);
            for (int r = t + 1; r < k - t; r++) TensorPrimitives.Add<double>(into, _block.AsSpan(r * Block, b), into);
            TensorPrimitives.Multiply<double>(into, scale, into);
        }
        return false;
    }
}
