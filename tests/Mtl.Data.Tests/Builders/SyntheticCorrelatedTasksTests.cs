// Tests of the MMoE synthetic correlated regression tasks.
namespace Mtl.Data.Tests;

public class SyntheticCorrelatedTasksTests
{
    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(-0.7)]
    [InlineData(1.0)]
    public void WeightCosineIsExactlyPAndLinearPartsCorrelateAtP(double p)
    {
        var r = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 4000, Dim = 20, Correlation = p, Scale = 2, Seed = 3 });
        var (w1, w2) = (r.Weights[0], r.Weights[1]);
        Assert.Equal(2, Math.Sqrt(Dot(w1, w1)), 12);
        Assert.Equal(2, Math.Sqrt(Dot(w2, w2)), 12);
        Assert.Equal(p, Dot(w1, w2) / Math.Sqrt(Dot(w1, w1) * Dot(w2, w2)), 12);
        var x = r.Dataset.Inputs.ToArray();
        int n = r.Dataset.Count, d = 20;
        var l1 = new double[n];
        var l2 = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) { l1[i] += w1[k] * x[i * d + k]; l2[i] += w2[k] * x[i * d + k]; }
        Assert.Equal(p, Correlation(l1, l2), 0.05);
    }

    [Fact]
    public void LabelsFollowTheFormula()
    {
        var o = new SyntheticTasksOptions { Count = 5, Dim = 6, Correlation = 0.3, SinTerms = 3, NoiseStd = 0, Seed = 1 };
        var r = SyntheticCorrelatedTasks.Generate(o);
        Assert.Equal(["task1", "task2"], r.Dataset.Tasks.Select(t => t.Name));
        var x = new float[6];
        var y = new float[1];
        for (int i = 0; i < 5; i++)
        {
            r.Dataset.ReadInput(i, x);
            for (int t = 0; t < 2; t++)
            {
                double lin = 0;
                for (int k = 0; k < 6; k++) lin += r.Weights[t][k] * x[k];
                double expected = lin + Math.Sin(1 * lin + 1) + Math.Sin(2 * lin + 4) + Math.Sin(3 * lin + 9);
                r.Dataset.ReadLabel(i, t, y);
                Assert.Equal(expected, y[0], 4);
            }
        }
    }

    [Fact]
    public void DeterministicPairsAndOptions()
    {
        var a = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 50, Pairs = 3, Seed = 8 });
        var b = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 50, Pairs = 3, Seed = 8 });
        var c = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 50, Pairs = 3, Seed = 9 });
        Assert.Equal(6, a.Dataset.Tasks.Count);
        Assert.Equal([100], a.Dataset.Input.Shape);
        Assert.True(a.Dataset.Inputs.Span.SequenceEqual(b.Dataset.Inputs.Span));
        Assert.False(a.Dataset.Inputs.Span.SequenceEqual(c.Dataset.Inputs.Span));
        Assert.Equal(0.5, Dot(a.Weights[4], a.Weights[5]), 12);
        var noisy = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 50, Pairs = 3, Seed = 8, NoiseStd = 1 });
        Assert.True(noisy.Dataset.Inputs.Span.SequenceEqual(a.Dataset.Inputs.Span));          // noise touches labels only
        var ya = a.Dataset.Columns[0].FloatValues!;
        var yn = noisy.Dataset.Columns[0].FloatValues!;
        double diff = ya.Zip(yn, (u, v) => (double)(u - v)).Select(v => v * v).Average();
        Assert.InRange(Math.Sqrt(diff), 0.99 - 0.3, 0.99 + 0.3);                                 // σ = 1 vs the default 0.01
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Correlation = 1.5 }));
        Assert.Throws<ArgumentException>(() => SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { SinTerms = 2, Alpha = [1.0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Dim = 1 }));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }
}
