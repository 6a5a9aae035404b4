// MatMul: values against a naive product for plain, transposed, batched and broadcast operands; gradients; errors.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class MatMulTests
{
    private static double[] Naive(Tensor a, Tensor b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i, p] * b[p, j];
                r[i * n + j] = s;
            }
        return r;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(8, 9, 17)]
    [InlineData(33, 16, 65)]
    [InlineData(0, 4, 3)]
    [InlineData(4, 0, 3)]
    [InlineData(4, 3, 0)]
    public void Two_d_products_in_all_layouts(int m, int k, int n)
    {
        var a = RandD(1, m, k);
        var b = RandD(2, k, n);
        var expected = Naive(a, b);
        Close(expected, a.MatMul(b).ToArray<double>());
        Close(expected, RandD(1, m, k).T().Contiguous().T().MatMul(b).ToArray<double>());  // transposed A view
        Close(expected, a.MatMul(b.T().Contiguous().T()).ToArray<double>());               // transposed B view
        var af = Tensor.From(a.ToArray<double>().Select(v => (float)v).ToArray(), m, k);
        var bf = Tensor.From(b.ToArray<double>().Select(v => (float)v).ToArray(), k, n);
        var got = af.MatMul(bf).ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 1e-4 * Math.Max(1, Math.Abs(expected[i])));
    }

    [Fact]
    public void Batched_and_broadcast_products()
    {
        var a = RandD(3, 2, 3, 4, 5);
        var b = RandD(4, 3, 5, 6);          // broadcasts over the leading 2
        var r = a.MatMul(b);
        Assert.Equal(new[] { 2, 3, 4, 6 }, r.Shape.ToArray());
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Close(Naive(a.Select(0, i).Select(0, j), b.Select(0, j)), r.Select(0, i).Select(0, j).Contiguous().ToArray<double>());
        var w = RandD(5, 5, 7);
        var folded = a.MatMul(w);          // (2,3,4,5) x (5,7) folds into one GEMM
        Close(Naive(a.Reshape(-1, 5), w), folded.Reshape(-1, 7).ToArray<double>());
        var v = RandD(6, 5);
        Close(Naive(a.Select(0, 0).Select(0, 0), v.Reshape(5, 1)), a.Select(0, 0).Select(0, 0).MatMul(v).ToArray<double>());
    }

    [Fact]
    public void Gradients_including_transposed_and_batched_operands()
    {
        GradOk(x => x[0].MatMul(x[1]), RandD(1, 3, 4), RandD(2, 4, 5));
        GradOk(x => x[0].T().MatMul(x[1].T()), RandD(3, 4, 3), RandD(4, 5, 4));
        GradOk(x => x[0].MatMul(x[1]), RandD(5, 2, 3, 4), RandD(6, 4, 2));
        GradOk(x => x[0].MatMul(x[1]), RandD(7, 2, 3, 4), RandD(8, 1, 4, 2));
        GradOk(x => x[0].MatMul(x[1]), RandD(9, 4), RandD(10, 4, 3));
        GradOk(x => x[0].MatMul(x[1]), RandD(11, 4), RandD(12, 4));
        GradOk(x => x[0].Linear(x[1], x[2]), RandD(13, 2, 3, 4), RandD(14, 5, 4), RandD(15, 5));
        GradOk(x => x[0].MatMul(x[1]), StridedD(16, 3, 4), StridedD(17, 4, 2));
    }

    [Fact]
    public void Mismatched_inner_dimensions_name_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])));
        Assert.Contains("matmul", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 2, 3]).MatMul(Tensor.Zeros([3, 3, 4]))).Message);
        Assert.Contains("linear", Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Linear(Tensor.Zeros([4, 5]))).Message);
    }
}
