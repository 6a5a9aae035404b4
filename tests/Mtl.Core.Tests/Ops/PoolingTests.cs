// Pooling: kernels against the naive reference over size sweeps, tie/NaN rules, gradient checks, bad inputs.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class PoolingTests
{
    public static TheoryData<int> Sizes => new() { 1, 2, 7, 8, 9, 15, 16, 17, 33 };

    // (kH, kW, sH, sW, pH, pW)
    private static readonly (int, int, int, int, int, int)[] Configs =
    [
        (2, 2, 2, 2, 0, 0), // the fast path
        (3, 3, 2, 2, 1, 1),
        (3, 2, 1, 2, 1, 0),
        (1, 1, 1, 1, 0, 0),
        (2, 3, 3, 1, 1, 1),
    ];

    private static void CheckAgainstReference(Tensor x)
    {
        int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var xd = x.ToDoubleArray();
        double tol = x.DType == DType.Float32 ? 1e-6 : 1e-14;
        foreach (var (kh, kw, sh, sw, ph, pw) in Configs)
        {
            if (h + 2 * ph < kh || w + 2 * pw < kw) continue;
            var g = new PoolGeometry(h, w, kh, kw, sh, sw, ph, pw);
            var (values, indices) = x.MaxPool2dWithIndices(kh, kw, sh, sw, ph, pw);
            var (refV, refI) = PoolReference.MaxPool(xd, planes, g);
            Assert.Equal(new[] { x.Shape[0], x.Shape[1], g.Hout, g.Wout }, values.Shape.ToArray());
            Close(refV, values.ToDoubleArray(), tol);
            Assert.Equal(refI, indices.ToArray<int>());
            Close(PoolReference.AvgPool(xd, planes, g), x.AvgPool2d(kh, kw, sh, sw, ph, pw).ToDoubleArray(), tol);
        }
        foreach (var (oh, ow) in new[] { (1, 1), (3, 2), (h, w), (h + 2, Math.Max(1, w - 1)) })
            Close(PoolReference.AdaptiveAvgPool(xd, planes, h, w, oh, ow), x.AdaptiveAvgPool2d(oh, ow).ToDoubleArray(), tol);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_matches_reference_float32(int size)
    {
        CheckAgainstReference(Tensor.RandN([2, 3, size, size], new Generator((ulong)size)));
        CheckAgainstReference(Tensor.RandN([1, 2, size, size + 5], new Generator((ulong)size + 7)));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(17)]
    public void Forward_matches_reference_float64_and_strided(int size)
    {
        CheckAgainstReference(RandD((ulong)size, 2, 2, size, size + 1));
        CheckAgainstReference(StridedD((ulong)size + 1, 2, 3, size, 9));
    }

    [Fact]
    public void Ties_pick_the_first_maximum_and_nan_wins()
    {
        // Window [[1, 3], [3, 2]]: two equal maxima, the first in row-major order is index 1.
        var x = Tensor.From(new float[] { 1, 3, 5, 5, 3, 2, 5, 5 }, 1, 1, 2, 4);
        var (v, i) = x.MaxPool2dWithIndices(2, 2);
        Assert.Equal(new float[] { 3, 5 }, v.ToArray<float>());
        Assert.Equal(new[] { 1, 2 }, i.ToArray<int>());
        // NaN propagates; an all −∞ window reports its first cell.
        var y = Tensor.From(new float[] { 1, float.NaN, float.NegativeInfinity, float.NegativeInfinity, 2, 0, float.NegativeInfinity, float.NegativeInfinity }, 1, 1, 2, 4);
        var (vy, iy) = y.MaxPool2dWithIndices(2, 2);
        Assert.True(double.IsNaN(vy[0, 0, 0, 0]));
        Assert.Equal(float.NegativeInfinity, vy[0, 0, 0, 1]);
        Assert.Equal(new[] { 1, 2 }, iy.ToArray<int>());
        // Same through the 8-wide vector path (16 columns).
        var wide = Tensor.Full([1, 1, 2, 16], 4.0);
        Assert.All(wide.MaxPool2dWithIndices(2, 2).Indices.ToArray<int>().Select((idx, k) => (idx, k)), t => Assert.Equal(2 * t.k, t.idx));
    }

    [Theory]
    [InlineData(4, 16)]
    [InlineData(6, 24)]
    [InlineData(5, 9)]
    [InlineData(3, 33)]
    public void Ties_nan_and_infinities_match_reference_on_every_vector_path(int h, int w)
    {
        // Values from a tiny set (many ties), with NaN and ±∞ sprinkled in.
        var gen = new Generator((ulong)(h * w));
        var raw = Tensor.Rand([2, 2, h, w], gen, 0, 6).ToArray<float>();
        float[] special = [float.NaN, float.NegativeInfinity, float.PositiveInfinity];
        var data = raw.Select((v, i) => i % 11 == 3 ? special[i % 3] : MathF.Floor(v)).ToArray();
        var x = Tensor.From(data, 2, 2, h, w);
        var (refV, refI) = PoolReference.MaxPool(data.Select(v => (double)v).ToArray(), 4, new PoolGeometry(h, w, 2, 2, 2, 2, 0, 0));
        var (v, i) = x.MaxPool2dWithIndices(2, 2);
        Assert.Equal(refI, i.ToArray<int>());
        Assert.Equal(refV.Select(d => (float)d).ToArray(), v.ToArray<float>()); // xunit's float equality treats NaN = NaN
    }

    [Fact]
    public void Max_pool_gradient_goes_to_the_first_maximum_only()
    {
        var x = Tensor.From(new double[] { 2, 2, 1, 2 }, 1, 1, 2, 2).RequireGrad();
        x.MaxPool2d(2).Sum().Backward();
        Assert.Equal(new double[] { 1, 0, 0, 0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var x = RandD(1, 2, 3, 7, 6); // continuous samples: distinct values, no ties within eps
        GradOk(t => t[0].MaxPool2d(2, 2), x);
        GradOk(t => t[0].MaxPool2d(3, 3, 2, 2, 1, 1), x);
        GradOk(t => t[0].MaxPool2d(3, 2, 1, 2, 1, 0), x);
        GradOk(t => t[0].AvgPool2d(2, 2), x);
        GradOk(t => t[0].AvgPool2d(3, 3, 2, 2, 1, 1), x);
        GradOk(t => t[0].AvgPool2d(3, 2, 1, 2, 1, 1), x);
        GradOk(t => t[0].AdaptiveAvgPool2d(3, 4), x); // 7 → 3 and 6 → 4: overlapping, uneven bins
        GradOk(t => t[0].AdaptiveAvgPool2d(9, 1), x); // more bins than rows
        GradOk(t => t[0].MaxPool2d(2, 2), StridedD(2, 2, 3, 6, 5));
        GradOk(t => t[0].AvgPool2d(2, 2, 1, 1), StridedD(3, 2, 3, 6, 5));
        GradOk(t => t[0].AdaptiveAvgPool2d(2, 3), StridedD(4, 2, 3, 6, 5));
        // Permuted outputs hand each backward a non-contiguous gradient.
        GradOk(t => t[0].MaxPool2d(2, 2).Permute(3, 2, 1, 0), x);
        GradOk(t => t[0].AvgPool2d(2, 2).Permute(0, 2, 3, 1), x);
    }

    [Fact]
    public void Unbatched_inputs_and_double_backward()
    {
        var x = RandD(5, 3, 6, 7);
        Assert.Equal([3, 3, 3], x.MaxPool2d(2).Shape.ToArray());
        Close(x.Unsqueeze(0).AvgPool2d(2).Squeeze(0).ToArray<double>(), x.AvgPool2d(2).ToArray<double>());
        GradOk(t => t[0].MaxPool2d(2, 3), x);
        GradOk(t => t[0].AdaptiveAvgPool2d(4, 2), x);
        // Second derivatives of Σ pool(x)³ through each pool's backward op.
        foreach (Func<Tensor, Tensor> pool in new Func<Tensor, Tensor>[] { p => p.MaxPool2d(2), p => p.AvgPool2d(3, 3, 2, 2, 1, 1), p => p.AdaptiveAvgPool2d(4, 3) })
        {
            GradOk(t =>
            {
                using var _ = GradMode.EnableGrad();
                var loss = pool(t[0]).Pow(3).Sum();
                return Autograd.Grad([loss], [t[0]], retainGraph: true, createGraph: true)[0]!;
            }, x);
        }
    }

    public static TheoryData<int[], int, int, int, int, int, int, string[]> BadPools => new()
    {
        { [4, 4], 2, 2, 2, 2, 0, 0, ["max_pool2d", "(4, 4)"] },
        { [1, 1, 1, 4, 4], 2, 2, 2, 2, 0, 0, ["max_pool2d", "(1, 1, 1, 4, 4)"] },
        { [1, 1, 4, 4], 0, 2, 2, 2, 0, 0, ["max_pool2d", "kernel", "(1, 1, 4, 4)"] },
        { [1, 1, 4, 4], 2, 2, 0, 2, 0, 0, ["max_pool2d", "stride", "(1, 1, 4, 4)"] },
        { [1, 1, 4, 4], 2, 2, -1, 2, 0, 0, ["max_pool2d", "stride", "(1, 1, 4, 4)"] },
        { [1, 1, 4, 4], 2, 2, 2, 2, 2, 0, ["max_pool2d", "padding", "(1, 1, 4, 4)"] },
        { [1, 1, 4, 4], 2, 2, 2, 2, -1, 0, ["max_pool2d", "padding", "(1, 1, 4, 4)"] },
        { [1, 1, 2, 4], 3, 3, 1, 1, 0, 0, ["max_pool2d", "(1, 1, 2, 4)", "≤ 0"] },
        { [1, 1, 0, 4], 2, 2, 2, 2, 1, 1, ["max_pool2d", "(1, 1, 0, 4)", "empty"] },
    };

    [Theory]
    [MemberData(nameof(BadPools))]
    public void Bad_pool_inputs_name_the_op_and_shapes(int[] shape, int kh, int kw, int sh, int sw, int ph, int pw, string[] fragments)
    {
        var x = Tensor.Zeros(shape);
        var e = Assert.Throws<ArgumentException>(() => x.MaxPool2d(kh, kw, sh, sw, ph, pw));
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        var a = Assert.Throws<ArgumentException>(() => x.AvgPool2d(kh, kw, sh, sw, ph, pw));
        foreach (var f in fragments) Assert.Contains(f.Replace("max_pool2d", "avg_pool2d"), a.Message);
    }

    [Fact]
    public void Bad_adaptive_and_dtype_inputs()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 2, 4, 4]).AdaptiveAvgPool2d(0, 2));
        Assert.Contains("adaptive_avg_pool2d", e.Message);
        Assert.Contains("(1, 2, 4, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 2, 0, 4]).AdaptiveAvgPool2d(1, 1));
        Assert.Contains("(1, 2, 0, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([5]).AdaptiveAvgPool2d(1, 1));
        Assert.Contains("adaptive_avg_pool2d", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 4, 4], DType.Int32).MaxPool2d(2));
        Assert.Contains("max_pool2d", e.Message);
    }

    [Fact]
    public void Empty_batch_gives_empty_output()
    {
        var x = Tensor.Zeros([0, 3, 4, 4]).RequireGrad();
        var y = x.MaxPool2d(2);
        Assert.Equal([0, 3, 2, 2], y.Shape.ToArray());
        y.Sum().Backward();
        Assert.Equal([0, 3, 4, 4], x.Grad!.Shape.ToArray());
        Assert.Equal([0, 3, 1, 1], x.AdaptiveAvgPool2d(1, 1).Shape.ToArray());
    }
}
