// Tests of dropout: gradient check with a re-seeded generator, mask statistics and scaling, determinism, modes, bad inputs.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class DropoutTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.8)]
    public void Grad_matches_finite_differences_with_the_same_mask(double p)
    {
        // A fresh Generator(seed) per evaluation draws the same mask every time, so f is a fixed linear map.
        GradOk(t => t[0].Dropout(p, training: true, new Generator(42)), RandD(1, 4, 5));
        GradOk(t => t[0].Dropout(p, training: true, new Generator(43)).Square(), StridedD(2, 3, 7));
    }

    [Fact]
    public void Backward_multiplies_by_the_saved_scaled_mask()
    {
        var x = RandD(3, 50, 40).RequireGrad();
        var y = x.Dropout(0.25, true, new Generator(7));
        var g = RandD(4, 50, 40);
        y.Backward(g);
        var xs = x.ToArray<double>();
        var ys = y.ToArray<double>();
        var gs = g.ToArray<double>();
        var dx = x.Grad!.ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            double m = ys[i] / xs[i]; // 0 or 1/(1−p)
            Assert.True(m == 0 || Math.Abs(m - 1 / 0.75) < 1e-12, $"element {i}: ratio {m}");
            Assert.Equal(gs[i] * (m == 0 ? 0 : 1 / 0.75), dx[i], 12);
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Mask_statistics_and_kept_values(double p)
    {
        const int n = 400_000;
        var x = Tensor.Rand([n], new Generator(1), 1, 2); // never 0, so a zero output means dropped
        var y = x.Dropout(p, true, new Generator(2));
        var xs = x.ToArray<float>();
        var ys = y.ToArray<float>();
        int kept = 0;
        float scale = (float)(1 / (1 - p));
        for (int i = 0; i < n; i++)
        {
            if (ys[i] == 0) continue;
            kept++;
            Assert.Equal(xs[i] * scale, ys[i]);
        }
        double rate = (double)kept / n, sd = Math.Sqrt(p * (1 - p) / n);
        Assert.True(Math.Abs(rate - (1 - p)) < 5 * sd, $"kept fraction {rate:F4}, expected {1 - p:F4} ± {5 * sd:F4}");
        // The expectation is preserved: mean(y) ≈ mean(x).
        Assert.True(Math.Abs(xs.Average() - ys.Average()) < 0.05, $"mean {ys.Average()} vs {xs.Average()}");
    }

    [Fact]
    public void Generator_stream_advances_between_calls()
    {
        var gen = new Generator(3);
        var x = Tensor.Ones([64]);
        var first = x.Dropout(0.5, true, gen).ToArray<float>();
        var second = x.Dropout(0.5, true, gen).ToArray<float>();
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Mask_is_drawn_in_row_major_order(int n)
    {
        // A longer tensor's mask starts with a shorter one's, and a 2-D view uses the same row-major stream.
        var shortMask = Tensor.Ones([n]).Dropout(0.5, true, new Generator(11)).ToArray<float>();
        var longMask = Tensor.Ones([n + 5]).Dropout(0.5, true, new Generator(11)).ToArray<float>();
        Assert.Equal(shortMask, longMask[..n]);
        Assert.All(shortMask, v => Assert.True(v == 0 || v == 2));
        var grid = Tensor.Ones([2, n]).Dropout(0.5, true, new Generator(11)).ToArray<float>();
        Assert.Equal(shortMask, grid[..n]);
    }

    [Fact]
    public void Eval_mode_and_edge_probabilities()
    {
        var x = RandD(5, 3, 4).RequireGrad();
        Assert.Same(x, x.Dropout(0.5, training: false, new Generator(1)));
        Assert.Same(x, x.Dropout(0, training: true, new Generator(1)));
        var gen = new Generator(1);
        var before = gen.GetState();
        var z = x.Dropout(1, training: true, gen);
        Assert.All(z.ToArray<double>(), v => Assert.Equal(0, v));
        Assert.Equal(before, gen.GetState()); // p = 1 draws nothing
        z.Sum().Backward();
        Assert.All(x.Grad!.ToArray<double>(), v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Bad_probability_is_rejected(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones([2, 3]).Dropout(p, true, new Generator(1)));
        Assert.Contains("dropout", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void Int32_input_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([4], DType.Int32).Dropout(0.5, true, new Generator(1)));
        Assert.Contains("dropout", e.Message);
        Assert.Contains("Int32", e.Message);
    }
}
