// Hand-computed cases of the robust aggregators krum and trimmedmean, their small-K clamps and allocation behaviour.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class AggregatorStrategyTests
{
    [Fact]
    public void Krum_ignores_an_outlier_row()
    {
        // Four gradients on the corners of a unit square and one far away; K = 5, f = 1: each score sums the 5 − 1 − 2 = 2
        // smallest squared distances to other rows. Corners: 1 + 1 = 2; the outlier (30, −40): thousands. Multi-Krum
        // with m = 4 averages the corners: (1.5, 1.5), weights (¼, ¼, ¼, ¼, 0).
        double[][] rows = [[1, 1], [2, 1], [1, 2], [2, 2], [30, -40]];
        var r = Combine("krum", rows, options: new KrumOptions { F = 1, Selected = 4 });
        AssertClose([1.5, 1.5], r.Combined);
        AssertClose([0.25, 0.25, 0.25, 0.25, 0], r.Weights!);
    }

    [Fact]
    public void Krum_selects_the_row_with_the_tightest_neighbourhood()
    {
        // First coordinates 0, 1, 3, 4.5, 50 (second coordinate 1 for all); two nearest squared distances per row:
        // 0 → 1 + 9 = 10, 1 → 1 + 4 = 5, 3 → 2.25 + 4 = 6.25, 4.5 → 2.25 + 12.25 = 14.5, 50 → 2070.25 + 2209. Krum picks
        // the row of first coordinate 1.
        double[][] rows = [[0, 1], [1, 1], [3, 1], [4.5, 1], [50, 1]];
        var r = Combine("krum", rows);
        AssertClose([1, 1], r.Combined);
        AssertClose([0, 1, 0, 0, 0], r.Weights!);
    }

    [Fact]
    public void Krum_clamps_for_small_K()
    {
        // K = 3 with the default f = 1 needs K ≥ f + 3: f is clamped to 0 and each row is scored by its nearest other
        // row: 1, 1, 81 → with m = 2 the two close rows are averaged.
        var three = Combine("krum", [[0, 1], [1, 1], [10, 1]], options: new KrumOptions { Selected = 2 });
        AssertClose([0.5, 1], three.Combined);
        // K = 2: the rows cannot be told apart, so both are averaged; K = 1: the gradient itself.
        AssertClose([0.5, 0.5], Combine("krum", [[1, 0], [0, 1]]).Weights!);
        AssertClose([3, 4], Combine("krum", [[3, 4]]).Combined);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("krum", new KrumOptions { F = -1 }));
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("krum", new KrumOptions { Selected = 0 }));
    }

    [Fact]
    public void Trimmed_mean_of_three_with_trim_one_is_the_coordinate_median()
    {
        var r = Combine("trimmedmean", [[1, 5, -2], [3, 0, 7], [2, 9, 1]]);
        AssertClose([2, 5, 1], r.Combined);
        Assert.Null(r.Weights);
    }

    [Fact]
    public void Trimmed_mean_drops_the_extremes_of_each_coordinate_and_clamps_the_trim()
    {
        // One coordinate, values 5, −100, 2, 3, 100, t = 1: drop −100 and 100, mean of 5, 2, 3 = 10/3.
        AssertClose([10 / 3.0], Combine("trimmedmean", [[5], [-100], [2], [3], [100]]).Combined);
        // t = 2 on five values: the median, 3.
        AssertClose([3], Combine("trimmedmean", [[5], [-100], [2], [3], [100]], options: new TrimmedMeanOptions { Trim = 2 }).Combined);
        // t larger than ⌊(K−1)/2⌋ is clamped: K = 2 gives the mean, K = 3 with t = 5 the median.
        AssertClose([2, 1], Combine("trimmedmean", [[1, 0], [3, 2]]).Combined);
        AssertClose([2], Combine("trimmedmean", [[1], [2], [30]], options: new TrimmedMeanOptions { Trim = 5 }).Combined);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("trimmedmean", new TrimmedMeanOptions { Trim = -1 }));
    }

    [Fact]
    public void Aggregators_allocate_nothing_proportional_to_P_per_call()
    {
        const int p = 50_000;
        var g = RandomMatrix(3, p, 9);
        var combined = new double[p];
        var weights = new double[3];
        var step = new StrategyStep([1.0, 1.0, 1.0]);
        foreach (var name in new[] { "trimmedmean", "krum", "upgrad", "dualproj", "cagrad", "nashmtl", "fairgrad" })
        {
            var s = StrategyRegistry.Create(name);
            s.Combine(g, step, combined, weights);   // sizes the buffers
            long before = GC.GetAllocatedBytesForCurrentThread();
            s.Combine(g, step, combined, weights);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 2_000, $"{name}: {allocated} bytes allocated in one call with P = {p}");
        }
    }
}
