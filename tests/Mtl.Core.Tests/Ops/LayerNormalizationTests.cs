// Layer norm: fused kernels against the naive reference (size sweep, affine or not), statistics, gradients, errors.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class LayerNormalizationTests
{
    // Forward and fused backward of the op against LayerNormReference run in double on the same values.
    private static void CheckAgainstReference(int rows, int d, bool weight, bool bias, DType dtype, ulong seed, double tol)
    {
        var gen = new Generator(seed);
        var x = Tensor.RandN([rows, d], gen, mean: 2, std: 3, dtype: dtype).RequireGrad();
        var w = weight ? Tensor.RandN([d], gen, dtype: dtype).RequireGrad() : null;
        var b = bias ? Tensor.RandN([d], gen, dtype: dtype).RequireGrad() : null;
        var g = Tensor.RandN([rows, d], gen, dtype: dtype);
        var y = x.LayerNorm([d], w, b);
        y.Backward(g);

        double[] wd = w?.ToDoubleArray() ?? [], bd = b?.ToDoubleArray() ?? [], xd = x.ToDoubleArray();
        var yRef = new double[rows * d];
        double[] mean = new double[rows], rstd = new double[rows], dx = new double[rows * d], dw = new double[d], db = new double[d];
        LayerNormReference.Forward<double>(xd, wd, bd, yRef, mean, rstd, rows, d, 1e-5);
        LayerNormReference.Backward<double>(xd, wd, g.ToDoubleArray(), dx, dw, db, rows, d, 1e-5);
        ArrayAssert.Close(yRef, y.ToDoubleArray(), tol);
        ArrayAssert.Close(dx, x.Grad!.ToDoubleArray(), tol);
        if (w is not null) ArrayAssert.Close(dw, w.Grad!.ToDoubleArray(), tol);
        if (b is not null) ArrayAssert.Close(db, b.Grad!.ToDoubleArray(), tol);
    }

    public static TheoryData<int> Sizes => new() { 0, 1, 7, 8, 9, 15, 16, 17, 100, 1000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Kernels_match_reference(int d)
    {
        CheckAgainstReference(5, d, true, true, DType.Float32, 1, 5e-5);
        CheckAgainstReference(3, d, false, false, DType.Float32, 2, 5e-5);
        CheckAgainstReference(3, d, true, false, DType.Float64, 3, 1e-11);
        CheckAgainstReference(2, d, false, true, DType.Float64, 4, 1e-11);
        CheckAgainstReference(0, d, true, true, DType.Float64, 5, 1e-11);
    }

    [Fact]
    public void Many_rows_take_the_parallel_path_and_combine_weight_gradients()
    {
        CheckAgainstReference(300, 257, true, true, DType.Float32, 6, 5e-5);
        CheckAgainstReference(300, 257, true, true, DType.Float64, 7, 1e-11);
    }

    [Fact]
    public void Rows_have_zero_mean_and_unit_variance_without_affine()
    {
        int rows = 6, d = 50;
        var x = Tensor.RandN([rows, d], new Generator(8), mean: 3, std: 5);
        var y = x.LayerNorm([d]).ToDoubleArray();
        for (int r = 0; r < rows; r++)
        {
            var row = y.AsSpan(r * d, d).ToArray();
            double mean = row.Average(), var = row.Sum(v => (v - mean) * (v - mean)) / d;
            Assert.True(Math.Abs(mean) < 1e-5, $"row {r} mean {mean}");
            Assert.True(Math.Abs(var - 1) < 1e-4, $"row {r} variance {var}");
        }
    }

    [Fact]
    public void Normalises_over_two_trailing_dims()
    {
        // (2, 3, 4) over (3, 4) equals the (2, 12) layer norm with flattened weight and bias.
        var x = RandD(9, 2, 3, 4);
        var w = RandD(10, 3, 4);
        var b = RandD(11, 3, 4);
        var y = x.LayerNorm([3, 4], w, b).ToDoubleArray();
        var flat = x.Reshape(2, 12).LayerNorm([12], w.Reshape(12), b.Reshape(12)).ToDoubleArray();
        Close(flat, y, 1e-14);
    }

    [Fact]
    public void Gradients_with_and_without_affine()
    {
        GradOk(t => t[0].LayerNorm([5]), RandD(1, 3, 5));
        GradOk(t => t[0].LayerNorm([5], t[1], t[2]), RandD(2, 3, 5), RandD(3, 5), RandD(4, 5));
        GradOk(t => t[0].LayerNorm([5], t[1]), RandD(5, 4, 5), RandD(6, 5));
        GradOk(t => t[0].LayerNorm([5], bias: t[1]), RandD(7, 4, 5), RandD(8, 5));
        GradOk(t => t[0].LayerNorm([4, 5], t[1], t[2]), RandD(9, 2, 3, 4, 5), RandD(10, 4, 5), RandD(11, 4, 5));
        GradOk(t => t[0].LayerNorm([1]), RandD(12, 3, 1));
    }

    [Fact]
    public void Gradients_for_strided_input_weight_and_output_gradient()
    {
        // x: (5, 4, 6) → transpose(0, 2), every second row → (3, 4, 5); weight: transposed (5, 4); g arrives transposed.
        static Tensor Strided(Tensor t) => t.Transpose(0, 2).Slice(0, 0, 6, 2);
        GradOk(t => Strided(t[0]).LayerNorm([4, 5], t[1].T(), t[2]), RandD(13, 5, 4, 6), RandD(14, 5, 4), RandD(15, 4, 5));
        GradOk(t => Strided(t[0]).LayerNorm([5]).Transpose(0, 2), RandD(16, 5, 4, 6));
    }

    [Fact]
    public void Gradients_for_parameters_only()
    {
        var x = RandD(17, 4, 6);
        GradOk(t => x.LayerNorm([6], t[0], t[1]), RandD(18, 6), RandD(19, 6));
    }

    [Fact]
    public void Double_backward_through_the_composed_gradient()
    {
        var proj = RandD(20, 3, 5);
        GradOk(t =>
        {
            using var _ = GradMode.EnableGrad();
            var y = t[0].LayerNorm([5], t[1], t[2]);
            var grads = Autograd.Grad([y.Mul(proj).Sum()], [t[0], t[1]], retainGraph: true, createGraph: true);
            return grads[0]!.Sum().Add(grads[1]!.Mul(grads[1]!).Sum());
        }, RandD(21, 3, 5), RandD(22, 5), RandD(23, 5));
    }

    [Fact]
    public void Fused_and_composed_backward_agree()
    {
        var x = RandD(24, 3, 4, 5).RequireGrad();
        var w = RandD(25, 4, 5).RequireGrad();
        var b = RandD(26, 4, 5).RequireGrad();
        var g = RandD(27, 3, 4, 5);
        var fused = Autograd.Grad([x.LayerNorm([4, 5], w, b)], [x, w, b], [g]);
        var composed = Autograd.Grad([x.LayerNorm([4, 5], w, b)], [x, w, b], [g], createGraph: true);
        for (int i = 0; i < 3; i++) Close(fused[i]!.ToDoubleArray(), composed[i]!.ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void Bad_inputs_name_the_op_and_shapes()
    {
        var x = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => x.LayerNorm([4]));
        Assert.Contains("layer_norm", e.Message);
        Assert.Contains("(4,)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.LayerNorm([2, 3, 1]));
        Assert.Contains("(2, 3, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.LayerNorm([3], Tensor.Ones([2])));
        Assert.Contains("layer_norm: weight (2,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.LayerNorm([3], null, Tensor.Ones([3], DType.Float64)));
        Assert.Contains("layer_norm: bias is Float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.LayerNorm([]));
        Assert.Contains("layer_norm", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => x.LayerNorm([3], eps: -1));
        Assert.Contains("layer_norm: eps", r.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.From(new[] { 1, 2 }).LayerNorm([2]));
        Assert.Contains("layer_norm", e.Message);
    }
}
