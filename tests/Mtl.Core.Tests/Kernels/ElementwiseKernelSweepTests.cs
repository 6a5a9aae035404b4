// Element-wise and reduction kernels against scalar loops over size sweeps (0, 1, odd, vector width ± 1, large).
namespace Mtl.Tests.Kernels;

public class ElementwiseKernelSweepTests
{
    public static readonly int[] Sizes = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 4099];

    public static TheoryData<int> SizeData()
    {
        var d = new TheoryData<int>();
        foreach (var s in Sizes) d.Add(s);
        return d;
    }

    private static float[] Rand(int n, ulong seed) => Tensor.RandN([n], new Generator(seed)).ToArray<float>();

    private static void Near(float expected, float actual, float tol = 1e-6f) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Theory]
    [MemberData(nameof(SizeData))]
    public void Binary_ops_same_shape_scalar_and_row_broadcast(int n)
    {
        var a = Rand(n, 1);
        var b = Rand(n, 2).Select(v => Math.Abs(v) + 0.5f).ToArray();
        var ta = Tensor.From(a);
        var tb = Tensor.From(b);
        var ops = new (Func<Tensor, Tensor, Tensor> Op, Func<float, float, float> Ref)[]
        {
            ((x, y) => x.Add(y), (x, y) => x + y), ((x, y) => x.Sub(y), (x, y) => x - y), ((x, y) => x.Mul(y), (x, y) => x * y),
            ((x, y) => x.Div(y), (x, y) => x / y), ((x, y) => x.Maximum(y), MathF.Max), ((x, y) => x.Minimum(y), MathF.Min),
            ((x, y) => x.Gt(y), (x, y) => x > y ? 1 : 0),
        };
        foreach (var (op, reference) in ops)
        {
            var same = op(ta, tb).ToArray<float>();
            var scalarRight = op(ta, Tensor.From(new[] { b.FirstOrDefault(1f) }, 1)).ToArray<float>();
            var scalarLeft = op(Tensor.From(new[] { 0.75f }, 1), tb).ToArray<float>();
            for (int i = 0; i < n; i++)
            {
                Near(reference(a[i], b[i]), same[i]);
                Near(reference(a[i], b.FirstOrDefault(1f)), scalarRight[i]);
                Near(reference(0.75f, b[i]), scalarLeft[i]);
            }
        }
        // (3, n) + (n) and (3, 1) + (1, n) outer broadcast.
        var m = Tensor.RandN([3, n], new Generator(3));
        var row = m.Add(ta).ToArray<float>();
        var mv = m.ToArray<float>();
        for (int r = 0; r < 3; r++) for (int i = 0; i < n; i++) Near(mv[r * n + i] + a[i], row[r * n + i]);
        var col = Tensor.From(new float[] { 1, 2, 3 }, 3, 1);
        var outer = col.Mul(ta.Reshape(1, n)).ToArray<float>();
        for (int r = 0; r < 3; r++) for (int i = 0; i < n; i++) Near((r + 1) * a[i], outer[r * n + i]);
    }

    [Theory]
    [MemberData(nameof(SizeData))]
    public void Unary_ops_match_scalar_math(int n)
    {
        var a = Rand(n, 4);
        var t = Tensor.From(a);
        var ops = new (Func<Tensor, Tensor> Op, Func<double, double> Ref)[]
        {
            (x => x.Neg(), x => -x), (x => x.Exp(), Math.Exp), (x => x.Abs(), Math.Abs), (x => x.Tanh(), Math.Tanh),
            (x => x.Sigmoid(), x => 1 / (1 + Math.Exp(-x))), (x => x.Relu(), x => Math.Max(x, 0)),
            (x => x.LeakyRelu(0.1), x => x > 0 ? x : 0.1 * x), (x => x.Clamp(-0.5, 0.5), x => Math.Clamp(x, -0.5, 0.5)),
            (x => x.Softplus(), x => Math.Log(1 + Math.Exp(x))), (x => x.Square(), x => x * x),
            (x => x.Abs().Sqrt(), x => Math.Sqrt(Math.Abs(x))), (x => x.Abs().AddScalar(1).Log(), x => Math.Log(Math.Abs(x) + 1)),
        };
        foreach (var (op, reference) in ops)
        {
            var got = op(t).ToArray<float>();
            for (int i = 0; i < n; i++) Near((float)reference(a[i]), got[i], 2e-6f);
        }
    }

    [Theory]
    [MemberData(nameof(SizeData))]
    public void Reductions_match_scalar_loops(int n)
    {
        var a = Rand(3 * n, 5);
        var t = Tensor.From(a, 3, n);
        var rowSums = t.Sum(1).ToArray<float>();
        var colSums = t.Sum(0).ToArray<float>();
        for (int r = 0; r < 3; r++) Near((float)Enumerable.Range(0, n).Sum(i => (double)a[r * n + i]), rowSums[r], 1e-5f);
        for (int i = 0; i < n; i++) Near(a[i] + a[n + i] + a[2 * n + i], colSums[i], 1e-5f);
        if (n == 0) return;
        var rowMax = t.Max(1).ToArray<float>();
        var colMin = t.Min(0).ToArray<float>();
        var arg = t.Argmax(1).ToArray<int>();
        for (int r = 0; r < 3; r++)
        {
            var row = a.Skip(r * n).Take(n).ToArray();
            Assert.Equal(row.Max(), rowMax[r]);
            Assert.Equal(Array.IndexOf(row, row.Max()), arg[r]);
        }
        for (int i = 0; i < n; i++) Assert.Equal(Math.Min(a[i], Math.Min(a[n + i], a[2 * n + i])), colMin[i]);
    }

    [Fact]
    public void Reshape_of_strided_views_keeps_row_major_order()
    {
        var g = new Generator(9);
        for (int trial = 0; trial < 50; trial++)
        {
            int[] shape = [1 + g.NextInt(4), 1 + g.NextInt(4), 1 + g.NextInt(4)];
            var x = Tensor.RandN(shape, g);
            int[] perm = [0, 1, 2];
            g.Shuffle<int>(perm);
            var v = x.Permute(perm);
            var expected = v.Contiguous().ToArray<float>();
            Assert.Equal(expected, v.Reshape(-1).ToArray<float>());
            Assert.Equal(expected, v.Reshape(v.Shape[0] * v.Shape[1], v.Shape[2]).ToArray<float>());
            Assert.Equal(expected, v.Reshape(v.Shape[0], 1, v.Shape[1] * v.Shape[2]).ToArray<float>());
        }
    }
}
