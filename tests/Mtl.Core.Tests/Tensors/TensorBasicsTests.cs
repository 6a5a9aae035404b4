// Tensor creation, data access, views (reshape/permute/slice/expand), formatting and their error messages.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Tensors;

public class TensorBasicsTests
{
    [Fact]
    public void Creation_helpers_fill_as_documented()
    {
        Assert.Equal(new float[6], Tensor.Zeros([2, 3]).ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1.0, 4), Tensor.Ones([4], DType.Float64).ToArray<double>());
        Assert.Equal(new float[] { 2.5f, 2.5f }, Tensor.Full([2], 2.5).ToArray<float>());
        Assert.Equal(new[] { 0, 2, 4 }, Tensor.Arange(0, 5, 2, DType.Int32).ToArray<int>());
        Assert.Equal(new float[] { 0, 1, 2 }, Tensor.Arange(3).ToArray<float>());
        var t = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new[] { 2, 3 }, t.Shape.ToArray());
        Assert.Equal(6, t[1, 2]);
        Assert.Equal(4, t[-1, 0]);
        Assert.Equal(0, Tensor.Zeros([0, 3]).Numel);
        Assert.Equal(3.5, Tensor.Scalar(3.5).Item());
    }

    [Fact]
    public void Random_tensors_are_reproducible_for_a_seed()
    {
        var a = Tensor.RandN([100], new Generator(42)).ToArray<float>();
        var b = Tensor.RandN([100], new Generator(42)).ToArray<float>();
        var c = Tensor.RandN([100], new Generator(43)).ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var u = Tensor.Rand([10000], new Generator(1), -2, 3, DType.Float64).ToArray<double>();
        Assert.All(u, v => Assert.InRange(v, -2, 3));
        Assert.InRange(u.Average(), 0.4, 0.6);
        var n = Tensor.RandN([20000], new Generator(2), 1, 2, DType.Float64).ToArray<double>();
        Assert.InRange(n.Average(), 0.95, 1.05);
        Assert.InRange(Math.Sqrt(n.Select(v => (v - 1) * (v - 1)).Average()), 1.95, 2.05);
    }

    [Fact]
    public void Generator_state_round_trips()
    {
        var g = new Generator(5);
        g.NextUInt64();
        var state = g.GetState();
        var expected = g.NextDouble();
        var h = new Generator(0);
        h.SetState(state);
        Assert.Equal(expected, h.NextDouble());
        Assert.Throws<ArgumentException>(() => h.SetState(new ulong[4]));
    }

    [Fact]
    public void Views_share_storage_and_report_layout()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var p = t.Permute(2, 0, 1);
        Assert.Equal(new[] { 4, 2, 3 }, p.Shape.ToArray());
        Assert.False(p.IsContiguous);
        Assert.Equal(t[1, 2, 3], p[3, 1, 2]);
        var s = t.Slice(2, 1, 4, 2);                 // columns 1 and 3
        Assert.Equal(new[] { 2, 3, 2 }, s.Shape.ToArray());
        Assert.Equal(new float[] { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 }, s.ToArray<float>());
        var e = Tensor.From(new float[] { 1, 2, 3 }, 3, 1).Expand(2, 3, 4);
        Assert.Equal(24, e.Numel);
        Assert.Equal(3, e[1, 2, 3]);
        Assert.Equal(new[] { 3, 8 }, t.Reshape(-1, 8).Shape.ToArray());
        Assert.Equal(new[] { 2, 12 }, t.Flatten(1).Shape.ToArray());
        Assert.Equal(new[] { 2, 1, 3, 4 }, t.Unsqueeze(1).Shape.ToArray());
        Assert.Equal(new[] { 2, 3, 4 }, t.Unsqueeze(1).Squeeze().Shape.ToArray());
        Assert.Equal(new float[] { 4, 5, 6, 7 }, t.Select(0, 0).Select(0, 1).ToArray<float>());
        // A write through a view is seen by the base tensor.
        s.Select(0, 0).Select(0, 0).Select(0, 0).Fill(100);
        Assert.Equal(100, t[0, 0, 1]);
    }

    [Fact]
    public void View_ops_are_differentiable()
    {
        GradOk(x => x[0].Permute(2, 0, 1).Reshape(4, 6).Slice(1, 1, 5, 2).Mul(x[0].Sum()), RandD(1, 2, 3, 4));
        GradOk(x => x[0].Expand(3, 2, 4).Mul(RandD(2, 3, 2, 4)), RandD(3, 2, 1));
        GradOk(x => x[0].T().Contiguous().Reshape(-1), StridedD(4, 3, 5));
        GradOk(x => x[0].Slice(0, -3, -1).Unsqueeze(0).Squeeze(0).Select(1, 1), RandD(5, 5, 2));
    }

    [Fact]
    public void Bad_views_name_the_op_and_shapes()
    {
        var t = Tensor.Zeros([2, 3]);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentException>(() => t.Reshape(4, 2)).Message);
        Assert.Contains("more than one -1", Assert.Throws<ArgumentException>(() => t.Reshape(-1, -1)).Message);
        Assert.Contains("Expand", Assert.Throws<ArgumentException>(() => t.Expand(2, 4)).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => t.Permute(0, 0)).Message);
        Assert.Contains("rank 2", Assert.Throws<ArgumentOutOfRangeException>(() => t.Transpose(0, 2)).Message);
        Assert.Throws<IndexOutOfRangeException>(() => t[2, 0]);
        Assert.Contains("Float32", Assert.Throws<InvalidOperationException>(() => t.ToArray<double>()).Message);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentException>(() => Tensor.From(new float[5], 2, 3)).Message);
    }

    [Fact]
    public void Dtype_mismatch_and_int_tensors_are_rejected_by_float_ops()
    {
        var f = Tensor.Ones([2]);
        var d = Tensor.Ones([2], DType.Float64);
        var i = Tensor.Ones([2], DType.Int32);
        var e = Assert.Throws<ArgumentException>(() => f.Add(d));
        Assert.Contains("add", e.Message);
        Assert.Contains("Float64", e.Message);
        Assert.Contains("Int32", Assert.Throws<ArgumentException>(() => i.Exp()).Message);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).Mul(Tensor.Ones([4, 3]))).Message);
    }

    [Fact]
    public void ToString_shows_dtype_shape_and_values()
    {
        var s = Tensor.From(new float[] { 1, 2.5f, 3, 4 }, 2, 2).ToString();
        Assert.Equal("Tensor(Float32, (2, 2), [[1, 2.5], [3, 4]])", s);
        Assert.Contains("grad_fn=exp", RandD(1, 2).RequireGrad().Exp().ToString());
    }
}
