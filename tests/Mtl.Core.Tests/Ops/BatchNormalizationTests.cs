// Batch norm: fused kernels against the naive reference, running statistics, eval mode, gradients, errors.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class BatchNormalizationTests
{
    // Forward and fused backward of the op (training or eval) against BatchNormReference run in double.
    private static void CheckAgainstReference(int[] shape, bool training, bool affine, DType dtype, ulong seed, double tol)
    {
        var gen = new Generator(seed);
        var (n, c, s) = BatchNormKernel.Dims(shape);
        var x = Tensor.RandN(shape, gen, mean: 1, std: 2, dtype: dtype).RequireGrad();
        var w = affine ? Tensor.RandN([c], gen, dtype: dtype).RequireGrad() : null;
        var b = affine ? Tensor.RandN([c], gen, dtype: dtype).RequireGrad() : null;
        var rm = Tensor.RandN([c], gen, dtype: dtype);
        var rv = Tensor.Rand([c], gen, 0.5, 2, dtype);
        var g = Tensor.RandN(shape, gen, dtype: dtype);
        double[] mean = rm.ToDoubleArray(), var = rv.ToDoubleArray();
        var y = x.BatchNorm(rm, rv, w, b, training);
        y.Backward(g);

        double[] wd = w?.ToDoubleArray() ?? [], bd = b?.ToDoubleArray() ?? [], xd = x.ToDoubleArray();
        var yRef = new double[x.Numel];
        double[] dx = new double[x.Numel], dw = new double[c], db = new double[c];
        BatchNormReference.Forward<double>(xd, wd, bd, yRef, mean, var, n, c, s, training, 1e-5);
        BatchNormReference.Backward<double>(xd, g.ToDoubleArray(), wd, mean, var, dx, dw, db, n, c, s, training, 1e-5);
        ArrayAssert.Close(yRef, y.ToDoubleArray(), tol);
        ArrayAssert.Close(dx, x.Grad!.ToDoubleArray(), tol);
        if (affine)
        {
            ArrayAssert.Close(dw, w!.Grad!.ToDoubleArray(), tol);
            ArrayAssert.Close(db, b!.Grad!.ToDoubleArray(), tol);
        }
    }

    public static TheoryData<int> Sizes => new() { 1, 7, 8, 9, 15, 16, 17, 100 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Kernels_match_reference(int size)
    {
        foreach (bool training in new[] { true, false })
        {
            CheckAgainstReference([5, size], training, true, DType.Float32, 1, 5e-5);          // (N, C): S = 1
            CheckAgainstReference([3, 2, size], training, false, DType.Float32, 2, 5e-5);      // (N, C, L)
            CheckAgainstReference([2, 3, size, 2], training, true, DType.Float64, 3, 1e-11);   // (N, C, H, W)
            CheckAgainstReference([size + 1, 3], training, true, DType.Float64, 4, 1e-11);
        }
    }

    [Fact]
    public void Empty_batch_in_eval_and_large_inputs_on_the_parallel_paths()
    {
        CheckAgainstReference([0, 3, 4], false, true, DType.Float32, 5, 0);
        CheckAgainstReference([64, 16, 100], true, true, DType.Float32, 6, 5e-5);
        CheckAgainstReference([64, 16, 100], false, true, DType.Float32, 7, 5e-5);
        CheckAgainstReference([300, 70], true, true, DType.Float64, 8, 1e-11);
    }

    [Fact]
    public void Float32_statistics_stay_accurate_for_a_large_batch_with_a_large_mean()
    {
        // 20000 values per channel around 1000 (std 1): plain running float32 sums are off by ~4e-4 in y and ~9e-4 in
        // dx; the float32 floor here is ~3e-5 and ~1e-4.
        var x = Tensor.RandN([20000, 2], new Generator(31), mean: 1000, std: 1).RequireGrad();
        var g = Tensor.RandN([20000, 2], new Generator(32), mean: 3);
        var y = x.BatchNorm(null, null, null, null, training: true);
        y.Backward(g);
        var xd = x.ToDoubleArray();
        double[] yRef = new double[xd.Length], dx = new double[xd.Length], mean = new double[2], var = new double[2];
        BatchNormReference.Forward<double>(xd, [], [], yRef, mean, var, 20000, 2, 1, true, 1e-5);
        BatchNormReference.Backward<double>(xd, g.ToDoubleArray(), [], mean, var, dx, new double[2], new double[2], 20000, 2, 1, true, 1e-5);
        ArrayAssert.Close(yRef, y.ToDoubleArray(), 1e-4);
        ArrayAssert.Close(dx, x.Grad!.ToDoubleArray(), 3e-4);
    }

    [Fact]
    public void Training_output_has_zero_mean_and_unit_variance_per_channel()
    {
        int n = 4, c = 3, s = 10;
        var x = Tensor.RandN([n, c, s], new Generator(9), mean: 5, std: 3);
        var y = x.BatchNorm(null, null, null, null, training: true).ToDoubleArray();
        for (int ch = 0; ch < c; ch++)
        {
            var vals = new List<double>();
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) vals.Add(y[(i * c + ch) * s + k]);
            double mean = vals.Average(), var = vals.Sum(v => (v - mean) * (v - mean)) / vals.Count;
            Assert.True(Math.Abs(mean) < 1e-5, $"channel {ch} mean {mean}");
            Assert.True(Math.Abs(var - 1) < 1e-4, $"channel {ch} variance {var}");
        }
    }

    [Fact]
    public void Running_statistics_after_two_training_steps_follow_the_momentum_formula()
    {
        // Channel values: step 1 [1, 3, 5, 7] and [2, 4, 6, 8]; step 2 [0, 2, 4, 6] and [10, 10, 13, 7].
        var x1 = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 4, 2);
        var x2 = Tensor.From(new float[] { 0, 10, 2, 10, 4, 13, 6, 7 }, 4, 2);
        var rm = Tensor.Zeros([2]);
        var rv = Tensor.Ones([2]);
        x1.BatchNorm(rm, rv, null, null, training: true);
        // mean = 0.9·0 + 0.1·[4, 5]; var = 0.9·1 + 0.1·(20/3) (unbiased)
        Close([0.4, 0.5], rm.ToDoubleArray(), 1e-6);
        Close([0.9 + 2.0 / 3, 0.9 + 2.0 / 3], rv.ToDoubleArray(), 1e-6);
        x2.BatchNorm(rm, rv, null, null, training: true);
        // mean = 0.9·[0.4, 0.5] + 0.1·[3, 10]; var = 0.9·(0.9 + 2/3) + 0.1·[20/3, 6]
        Close([0.66, 1.45], rm.ToDoubleArray(), 1e-6);
        Close([0.9 * (0.9 + 2.0 / 3) + 2.0 / 3, 0.9 * (0.9 + 2.0 / 3) + 0.6], rv.ToDoubleArray(), 1e-6);
    }

    [Fact]
    public void Running_buffers_may_be_strided_float64_with_a_float32_4d_input()
    {
        // (2, 2, 1, 2): channel 0 = [1, 3, 5, 7], channel 1 = [2, 4, 6, 12]; buffers are every second element of (4,).
        var x = Tensor.From(new float[] { 1, 3, 2, 4, 5, 7, 6, 12 }, 2, 2, 1, 2);
        var mBase = Tensor.Zeros([4], DType.Float64);
        var vBase = Tensor.Ones([4], DType.Float64);
        var rm = mBase.Slice(0, 0, 4, 2);
        var rv = vBase.Slice(0, 1, 4, 2);
        x.BatchNorm(rm, rv, null, null, training: true, momentum: 0.5);
        Close([2, 0, 3, 0], mBase.ToDoubleArray(), 1e-12);          // 0.5·[4, 6]
        Close([1, 0.5 + 10.0 / 3, 1, 0.5 + 0.5 * 56.0 / 3], vBase.ToDoubleArray(), 1e-12); // 0.5 + 0.5·[20/3, 56/3]
    }

    [Fact]
    public void Eval_uses_the_running_statistics_and_leaves_them_unchanged()
    {
        var x = RandD(10, 3, 2, 4);
        var rm = Tensor.From(new double[] { 0.5, -1 });
        var rv = Tensor.From(new double[] { 2, 0.25 });
        var w = Tensor.From(new double[] { 1.5, -2 });
        var b = Tensor.From(new double[] { 0.1, 0.2 });
        var y = x.BatchNorm(rm, rv, w, b, training: false, eps: 1e-3).ToDoubleArray();
        var xd = x.ToDoubleArray();
        var expected = new double[xd.Length];
        for (int i = 0; i < xd.Length; i++)
        {
            int ch = i / 4 % 2;
            expected[i] = (xd[i] - rm[ch]) / Math.Sqrt(rv[ch] + 1e-3) * w[ch] + b[ch];
        }
        Close(expected, y, 1e-14);
        Assert.Equal(new[] { 0.5, -1 }, rm.ToDoubleArray());
        Assert.Equal(new[] { 2, 0.25 }, rv.ToDoubleArray());
    }

    [Fact]
    public void Training_gradients_2d_and_4d_with_and_without_affine()
    {
        GradOk(t => t[0].BatchNorm(null, null, null, null, training: true), RandD(1, 6, 3));
        GradOk(t => t[0].BatchNorm(null, null, t[1], t[2], training: true), RandD(2, 6, 3), RandD(3, 3), RandD(4, 3));
        GradOk(t => t[0].BatchNorm(null, null, t[1], t[2], training: true), RandD(5, 3, 2, 2, 3), RandD(6, 2), RandD(7, 2));
        var rm = Tensor.Zeros([2], DType.Float64);
        var rv = Tensor.Ones([2], DType.Float64);
        GradOk(t => t[0].BatchNorm(rm, rv, null, t[1], training: true), RandD(8, 4, 2, 3), RandD(9, 2));
    }

    [Fact]
    public void Training_gradients_for_strided_input_and_output_gradient()
    {
        // x: (3, 2, 3, 2) permuted to a non-contiguous (3, 2, 2, 3); g arrives permuted too.
        GradOk(t => t[0].Permute(0, 1, 3, 2).BatchNorm(null, null, t[1], t[2], training: true).Transpose(0, 3),
            RandD(10, 3, 2, 3, 2), RandD(11, 2), RandD(12, 2));
        GradOk(t => t[0].T().BatchNorm(null, null, t[1].Slice(0, 0, 8, 2), null, training: true), RandD(13, 4, 5), RandD(14, 8));
    }

    [Fact]
    public void Eval_gradients()
    {
        var rm = Tensor.From(new double[] { 0.3, -0.2, 1 });
        var rv = Tensor.From(new double[] { 0.5, 2, 1.5 });
        GradOk(t => t[0].BatchNorm(rm, rv, t[1], t[2], training: false), RandD(15, 2, 3, 4), RandD(16, 3), RandD(17, 3));
        GradOk(t => t[0].BatchNorm(rm, rv, null, null, training: false), RandD(18, 4, 3));
        GradOk(t => t[0].Permute(0, 2, 1).BatchNorm(rm, rv, t[1], null, training: false), RandD(19, 2, 4, 3), RandD(20, 3));
    }

    [Fact]
    public void Double_backward_through_the_composed_gradient()
    {
        var rm = Tensor.From(new double[] { 0.3, -0.2 });
        var rv = Tensor.From(new double[] { 0.5, 2 });
        foreach (bool training in new[] { true, false })
        {
            var proj = RandD(21, 3, 2, 2);
            GradOk(t =>
            {
                using var _ = GradMode.EnableGrad();
                var y = t[0].BatchNorm(rm, rv, t[1], t[2], training, momentum: 0);
                var grads = Autograd.Grad([y.Mul(proj).Sum()], [t[0], t[1]], retainGraph: true, createGraph: true);
                return grads[0]!.Square().Sum().Add(grads[1]!.Mul(grads[1]!).Sum());
            }, RandD(22, 3, 2, 2), RandD(23, 2), RandD(24, 2));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fused_and_composed_backward_agree(bool training)
    {
        var x = RandD(25, 4, 3, 5).RequireGrad();
        var w = RandD(26, 3).RequireGrad();
        var b = RandD(27, 3).RequireGrad();
        var rm = RandD(28, 3);
        var rv = RandD(29, 3).Abs().AddScalar(0.5);
        var g = RandD(30, 4, 3, 5);
        var fused = Autograd.Grad([x.BatchNorm(rm, rv, w, b, training)], [x, w, b], [g]);
        var composed = Autograd.Grad([x.BatchNorm(rm, rv, w, b, training)], [x, w, b], [g], createGraph: true);
        for (int i = 0; i < 3; i++) Close(fused[i]!.ToDoubleArray(), composed[i]!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void Bad_inputs_name_the_op_and_shapes()
    {
        var x = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 3]).BatchNorm(null, null, null, null, training: true));
        Assert.Contains("batch_norm: Expected more than 1 value per channel when training", e.Message);
        Assert.Contains("(1, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 3, 1, 1]).BatchNorm(Tensor.Zeros([3]), Tensor.Ones([3]), null, null, training: true));
        Assert.Contains("Expected more than 1 value per channel", e.Message);
        Tensor.Zeros([1, 3]).BatchNorm(Tensor.Zeros([3]), Tensor.Ones([3]), null, null, training: false); // fine in eval
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(null, null, null, null, training: false));
        Assert.Contains("batch_norm: eval mode", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(Tensor.Zeros([4]), Tensor.Ones([4]), null, null, training: true));
        Assert.Contains("batch_norm: runningMean (4,)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(Tensor.Zeros([3]), null, null, null, training: true));
        Assert.Contains("runningVar null", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(null, null, Tensor.Ones([1, 3]), null, training: true));
        Assert.Contains("batch_norm: weight (1, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(null, null, null, Tensor.Ones([3], DType.Float64), training: true));
        Assert.Contains("batch_norm: bias is Float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.BatchNorm(Tensor.Zeros([3]), Tensor.From(new[] { 1, 1, 1 }), null, null, training: true));
        Assert.Contains("runningVar must be Float32 or Float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3]).BatchNorm(null, null, null, null, training: true));
        Assert.Contains("batch_norm", e.Message);
        Assert.Contains("(3,)", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => x.BatchNorm(null, null, null, null, training: true, momentum: 1.5));
        Assert.Contains("batch_norm: momentum", r.Message);
    }
}
