// Softmax / log-softmax: fast kernels against the naive reference on every layout, values, stability, gradients, errors.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class SoftmaxTests
{
    private static Tensor Op(Tensor x, int axis, bool log) => log ? x.LogSoftmax(axis) : x.Softmax(axis);

    // Forward and (fused) backward of the op against SoftmaxReference run in double on the same values.
    private static void CheckAgainstReference(int[] shape, int axis, bool log, DType dtype, ulong seed, double tol)
    {
        var x = Tensor.RandN(shape, new Generator(seed), std: 3, dtype: dtype).RequireGrad();
        var g = Tensor.RandN(shape, new Generator(seed + 1), dtype: dtype);
        var y = Op(x, axis, log);
        y.Backward(g);
        var (outer, n, inner) = SoftmaxKernel.Split(shape, axis < 0 ? axis + shape.Length : axis);
        var yRef = new double[x.Numel];
        var dxRef = new double[x.Numel];
        SoftmaxReference.Forward<double>(x.ToDoubleArray(), yRef, outer, n, inner, log);
        SoftmaxReference.Backward<double>(yRef, g.ToDoubleArray(), dxRef, outer, n, inner, log);
        ArrayAssert.Close(yRef, y.ToDoubleArray(), tol);
        ArrayAssert.Close(dxRef, x.Grad!.ToDoubleArray(), tol);
    }

    public static TheoryData<int> Sizes => new() { 0, 1, 7, 8, 9, 15, 16, 17, 100, 1000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Kernels_match_reference_on_last_middle_and_first_axis(int n)
    {
        foreach (bool log in new[] { false, true })
        {
            CheckAgainstReference([3, n], 1, log, DType.Float32, 1, 5e-5);           // last axis: rows
            CheckAgainstReference([2, n, 5], 1, log, DType.Float32, 2, 5e-5);        // middle axis: column blocks
            CheckAgainstReference([n, n < 1000 ? 513 : 40], 0, log, DType.Float32, 3, 5e-5); // first axis: two column tiles
            CheckAgainstReference([2, n, 3], -2, log, DType.Float64, 4, 1e-12);
            CheckAgainstReference([n, 3], -1, log, DType.Float64, 5, 1e-12);
        }
    }

    [Fact]
    public void Large_inputs_take_the_parallel_paths()
    {
        foreach (bool log in new[] { false, true })
        {
            CheckAgainstReference([300, 257], -1, log, DType.Float32, 6, 5e-5);
            CheckAgainstReference([4, 40, 700], 1, log, DType.Float32, 7, 5e-5);
        }
    }

    public static TheoryData<int> ValueSizes => new() { 1, 7, 8, 9, 16, 17, 100 };

    [Theory]
    [MemberData(nameof(ValueSizes))]
    public void Rows_sum_to_one_and_match_naive_double_even_for_large_values(int n)
    {
        // Rows: plain, +1000, ×50, −1000: exp without the max shift would overflow or underflow.
        var x = Tensor.RandN([4, n], new Generator(8));
        var shift = Tensor.From(new float[] { 0, 1000, 0, -1000 }, 4, 1);
        var scale = Tensor.From(new float[] { 1, 1, 50, 1 }, 4, 1);
        x = x.Mul(scale).Add(shift);
        var data = x.ToDoubleArray();
        // Last axis (rows) and first axis (the transposed tensor, column path) must agree with the naive double result.
        var p = x.Softmax(-1).ToDoubleArray();
        var lp = x.LogSoftmax(1).ToDoubleArray();
        var pT = x.T().Contiguous().Softmax(0).T().Contiguous().ToDoubleArray();
        for (int r = 0; r < 4; r++)
        {
            var row = data.AsSpan(r * n, n);
            double m = double.NegativeInfinity, s = 0, total = 0;
            foreach (double v in row) m = Math.Max(m, v);
            foreach (double v in row) s += Math.Exp(v - m);
            for (int j = 0; j < n; j++)
            {
                double expected = Math.Exp(row[j] - m) / s;
                Assert.True(Math.Abs(p[r * n + j] - expected) < 2e-6, $"row {r} col {j}: softmax {p[r * n + j]} vs {expected}");
                Assert.True(Math.Abs(pT[r * n + j] - expected) < 2e-6, $"row {r} col {j}: softmax(axis 0 of xᵀ) {pT[r * n + j]} vs {expected}");
                double lexp = row[j] - m - Math.Log(s);
                Assert.True(Math.Abs(lp[r * n + j] - lexp) < 1e-5 * Math.Max(1, Math.Abs(lexp)), $"row {r} col {j}: log_softmax {lp[r * n + j]} vs {lexp}");
                total += p[r * n + j];
            }
            Assert.True(Math.Abs(total - 1) < 1e-5, $"row {r} sums to {total}");
        }
    }

    [Fact]
    public void Extreme_values_stay_finite()
    {
        var x = Tensor.From(new float[] { 1000, 999, -1000 });
        Close([0.7310585786300049, 0.2689414213699951, 0], x.Softmax(0).ToDoubleArray(), 1e-6);
        Close([-0.31326168751822286, -1.3132616875182228, -2000.3132616875182], x.LogSoftmax(0).ToDoubleArray(), 1e-6);
    }

    public static TheoryData<int> Axes => new() { 0, 1, 2, -1, -2, -3 };

    [Theory]
    [MemberData(nameof(Axes))]
    public void Gradients_on_every_axis_contiguous_and_strided(int axis)
    {
        // Strided: (5, 4, 6) → transpose(0, 2) → every second element on axis 0 gives a (3, 4, 5) view.
        static Tensor Strided(Tensor t) => t.Transpose(0, 2).Slice(0, 0, 6, 2);
        GradOk(t => t[0].Softmax(axis), RandD(1, 3, 4, 5));
        GradOk(t => t[0].LogSoftmax(axis), RandD(2, 3, 4, 5));
        GradOk(t => Strided(t[0]).Softmax(axis), RandD(3, 5, 4, 6));
        GradOk(t => Strided(t[0]).LogSoftmax(axis), RandD(4, 5, 4, 6));
    }

    [Fact]
    public void Gradient_arriving_as_a_strided_view()
    {
        GradOk(t => t[0].Softmax(0).T(), RandD(5, 4, 3));
        GradOk(t => t[0].LogSoftmax(1).T(), RandD(6, 4, 3));
    }

    [Fact]
    public void Double_backward_through_the_composed_gradient()
    {
        var proj = RandD(9, 3, 4);
        foreach (bool log in new[] { false, true })
            foreach (int axis in new[] { 0, 1 })
            {
                GradOk(t =>
                {
                    using var _ = GradMode.EnableGrad();
                    var y = Op(t[0], axis, log);
                    return Autograd.Grad([y.Mul(proj).Sum()], [t[0]], retainGraph: true, createGraph: true)[0]!;
                }, RandD(10, 3, 4));
            }
    }

    [Fact]
    public void Fused_and_composed_backward_agree()
    {
        foreach (bool log in new[] { false, true })
        {
            var x = RandD(11, 5, 6, 7).RequireGrad();
            var g = RandD(12, 5, 6, 7);
            var fused = Autograd.Grad([Op(x, 1, log)], [x], [g])[0]!;
            var composed = Autograd.Grad([Op(x, 1, log)], [x], [g], createGraph: true)[0]!;
            Assert.NotNull(composed.GradFn);
            Close(fused.ToDoubleArray(), composed.ToDoubleArray(), 1e-13);
        }
    }

    [Fact]
    public void Zero_dimensional_input_is_one_element()
    {
        Assert.Equal(1.0, Tensor.Scalar(3).Softmax(0).Item());
        Assert.Equal(0.0, Tensor.Scalar(3).LogSoftmax(-1).Item());
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Scalar(3).Softmax(1));
    }

    [Fact]
    public void Bad_inputs_name_the_op_and_shape()
    {
        var x = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(2));
        Assert.Contains("softmax: axis 2", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => x.LogSoftmax(-3));
        Assert.Contains("log_softmax: axis -3", e.Message);
        var ints = Tensor.From(new[] { 1, 2, 3 });
        var a = Assert.Throws<ArgumentException>(() => ints.Softmax(0));
        Assert.Contains("softmax", a.Message);
        Assert.Contains("Int32", a.Message);
    }
}
