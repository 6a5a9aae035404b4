// Tests of seeded random and stratified train/validation/test splits.
namespace Mtl.Data.Tests;

public class SplitTests
{
    private static void AssertPartition(SplitIndices s, int n, bool complete = true)
    {
        var all = s.Train.Concat(s.Validation).Concat(s.Test).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.All(all, i => Assert.InRange(i, 0, n - 1));
        if (complete) Assert.Equal(n, all.Length);
        foreach (var part in new[] { s.Train, s.Validation, s.Test }) Assert.Equal(part.Order(), part);
    }

    [Theory]
    [InlineData(100, 0.8, 0.1, 0.1, 80, 10, 10)]
    [InlineData(10, 0.7, 0.15, 0.15, 7, 2, 1)]
    [InlineData(7, 1.0, 0.0, 0.0, 7, 0, 0)]
    [InlineData(0, 0.5, 0.25, 0.25, 0, 0, 0)]
    public void RandomSplitSizesByLargestRemainder(int n, double tr, double va, double te, int eTr, int eVa, int eTe)
    {
        var s = Splits.RandomIndices(n, tr, va, te, seed: 3);
        Assert.Equal((eTr, eVa, eTe), (s.Train.Length, s.Validation.Length, s.Test.Length));
        AssertPartition(s, n);
    }

    [Fact]
    public void RandomSplitIsDeterministicForASeed()
    {
        var a = Splits.RandomIndices(1000, 0.6, 0.2, 0.2, 11);
        var b = Splits.RandomIndices(1000, 0.6, 0.2, 0.2, 11);
        var c = Splits.RandomIndices(1000, 0.6, 0.2, 0.2, 12);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Train, c.Train);
        Assert.NotEqual(Enumerable.Range(0, 600), a.Train);
    }

    [Fact]
    public void FractionsBelowOneLeaveSamplesOutAndCountsWork()
    {
        var s = Splits.RandomIndices(100, 0.5, 0.1, 0.1, 1);
        Assert.Equal((50, 10, 10), (s.Train.Length, s.Validation.Length, s.Test.Length));
        AssertPartition(s, 100, complete: false);
        var c = Splits.RandomIndicesByCount(20, 5, 3, 2, 9);
        Assert.Equal((5, 3, 2), (c.Train.Length, c.Validation.Length, c.Test.Length));
        AssertPartition(c, 20, complete: false);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.RandomIndicesByCount(5, 3, 2, 1, 0));
        Assert.Contains("sum to 1.2", Assert.Throws<ArgumentException>(() => Splits.RandomIndices(10, 0.6, 0.3, 0.3, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.RandomIndices(10, -0.1, 0.3, 0.3, 0));
    }

    [Fact]
    public void StratifiedSplitKeepsEachClassInProportion()
    {
        int[] counts = [100, 50, 30, 7, 13, 1];
        var labels = counts.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        var order = labels.Select((y, i) => (y, key: new Generator((ulong)i).NextUInt64())).OrderBy(p => p.key).Select(p => p.y).ToArray();
        var ds = new InMemoryDataset([1], new float[order.Length], LabelColumn.Classes("y", 6, order));
        double[] f = [0.6, 0.2, 0.2];
        var s = Splits.StratifiedIndices(ds, "y", f[0], f[1], f[2], seed: 5);
        AssertPartition(s, order.Length);
        var parts = new[] { s.Train, s.Validation, s.Test };
        for (int c = 0; c < counts.Length; c++)
            for (int p = 0; p < 3; p++)
            {
                int got = parts[p].Count(i => order[i] == c);
                Assert.True(Math.Abs(got - f[p] * counts[c]) < 2, $"class {c} split {p}: {got} vs {f[p] * counts[c]}");
            }
        for (int p = 0; p < 3; p++) Assert.True(Math.Abs(parts[p].Length - f[p] * order.Length) <= 1, $"split {p} total {parts[p].Length}");
        Assert.Equal(s.Train, Splits.StratifiedIndices(ds, "y", 0.6, 0.2, 0.2, 5).Train);
        Assert.NotEqual(s.Train, Splits.StratifiedIndices(ds, "y", 0.6, 0.2, 0.2, 6).Train);
    }

    [Fact]
    public void StratifiedSplitIsExactWhenSharesAreWhole()
    {
        int[] counts = [50, 30, 20, 10];
        var labels = Enumerable.Range(0, 110).Select(i => i % 11 < 5 ? 0 : i % 11 < 8 ? 1 : i % 11 < 10 ? 2 : 3).ToArray();
        Assert.Equal(counts, Enumerable.Range(0, 4).Select(c => labels.Count(y => y == c)));
        var ds = new InMemoryDataset([1], new float[110], LabelColumn.Classes("y", 4, labels));
        var s = Splits.StratifiedIndices(ds, "y", 0.6, 0.2, 0.2, seed: 2);
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(counts[c] * 6 / 10, s.Train.Count(i => labels[i] == c));
            Assert.Equal(counts[c] * 2 / 10, s.Validation.Count(i => labels[i] == c));
            Assert.Equal(counts[c] * 2 / 10, s.Test.Count(i => labels[i] == c));
        }
        // A plain random split of the same data is not stratified for every seed.
        Assert.Contains(Enumerable.Range(0, 20).Select(seed => Splits.RandomIndices(110, 0.6, 0.2, 0.2, (ulong)seed)),
            r => Enumerable.Range(0, 4).Any(c => r.Train.Count(i => labels[i] == c) != counts[c] * 6 / 10));
    }

    [Fact]
    public void StratifiedSplitGroupsUnlabelledSamplesAndViewsWork()
    {
        var present = Enumerable.Range(0, 40).Select(i => i % 4 != 0).ToArray();
        var ds = new InMemoryDataset([1], new float[40], LabelColumn.Classes("y", 2, Enumerable.Range(0, 40).Select(i => i % 2).ToArray(), present));
        var split = ds.StratifiedSplit("y", 0.5, 0.25, 0.25, seed: 1);
        Assert.Equal(20, split.Train.Count);
        Assert.Equal(5, split.Train.Indices.Count(i => i % 4 == 0)); // unlabelled: 10 samples, half in train
        Assert.Equal(split.Indices.Validation, split.Validation.Indices);
        Assert.Throws<ArgumentException>(() => ImageTestData.Numbered(5).StratifiedSplit("vec", 0.5, 0.5, 0, 0));
    }
}
