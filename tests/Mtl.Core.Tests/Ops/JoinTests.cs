// Tests of concat / stack / split / chunk: gradient checks, values against the naive oracle over a size sweep, bad inputs.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class JoinTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void Concat_grad_on_each_axis(int axis)
    {
        int ax = axis < 0 ? axis + 3 : axis;
        int[] Shape(int n) { var s = new[] { 2, 3, 4 }; s[ax] = n; return s; }
        GradOk(t => JoinOps.Concat(t, axis), RandD(1, Shape(2)), RandD(2, Shape(1)), RandD(3, Shape(3)));
        // Non-contiguous inputs, mixed with a contiguous one.
        GradOk(t => JoinOps.Concat(t, axis), StridedD(4, Shape(2)), RandD(5, Shape(2)), StridedD(6, Shape(1)));
    }

    [Fact]
    public void Concat_grad_flows_only_to_inputs_that_need_it()
    {
        var a = RandD(1, 2, 3).RequireGrad();
        var b = RandD(2, 2, 4);
        var y = JoinOps.Concat([a, b], 1);
        y.Mul(y).Sum().Backward();
        Close(a.MulScalar(2).ToArray<double>(), a.Grad!.ToArray<double>());
        Assert.Null(b.Grad);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void Stack_grad_on_each_axis(int axis)
    {
        GradOk(t => JoinOps.Stack(t, axis), RandD(1, 3, 4), RandD(2, 3, 4), RandD(3, 3, 4));
        GradOk(t => JoinOps.Stack(t, axis), StridedD(4, 3, 4), RandD(5, 3, 4));
    }

    [Fact]
    public void Split_and_chunk_grads_reach_the_right_slices()
    {
        // Weight each piece differently so a piece mapped to the wrong place fails the check.
        static Tensor Weighted(Tensor[] pieces, int axis) =>
            JoinOps.Concat(pieces.Select((p, i) => p.MulScalar(i + 1)).ToArray(), axis);
        GradOk(t => Weighted(t[0].Split(2, 1), 1), RandD(1, 3, 5));
        GradOk(t => Weighted(t[0].Split([1, 0, 3, 1], -1), -1), StridedD(2, 3, 5));
        GradOk(t => Weighted(t[0].Chunk(3, 0), 0), RandD(3, 7, 2));
        // Only some pieces used: the others get zero gradient.
        GradOk(t => t[0].Split(3, 0)[1].MulScalar(2), RandD(4, 8, 2));
    }

    [Fact]
    public void Split_and_chunk_piece_sizes_follow_pytorch()
    {
        var x = Tensor.Arange(10, DType.Float64).Reshape(2, 5);
        Assert.Equal([2, 2, 1], x.Split(2, 1).Select(p => p.Shape[1]));
        Assert.Equal([5], x.Split(7, 1).Select(p => p.Shape[1]));
        Assert.Equal([2, 3], x.Split([2, 3], 1).Select(p => p.Shape[1]));
        Assert.Equal([2, 2, 1], x.Chunk(3, 1).Select(p => p.Shape[1]));
        Assert.Equal([2, 2, 1], x.Chunk(3, -1).Select(p => p.Shape[1]));
        Assert.Equal([2, 2, 2], Tensor.Zeros([6]).Chunk(4).Select(p => p.Shape[0])); // ceil(6/4) = 2 → 3 pieces
        Assert.Equal([1, 1, 1, 1, 1], x.Chunk(9, 1).Select(p => p.Shape[1]));
        Assert.Equal([0, 0, 0], Tensor.Zeros([2, 0]).Chunk(3, 1).Select(p => p.Shape[1]));
        Assert.Single(Tensor.Zeros([0]).Split(2));
        // Pieces are views holding the right values.
        var pieces = x.Split([1, 4], 1);
        Assert.Equal([6.0, 7, 8, 9], pieces[1].Select(0, 1).ToArray<double>());
        Assert.Equal([0.0, 5], pieces[0].Reshape(2).ToArray<double>());
        Assert.Same(x.Storage, pieces[1].Storage);
    }

    public static TheoryData<int> Sizes => new() { 0, 1, 7, 8, 9, 16, 17, 1000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Concat_matches_reference_over_sizes(int n)
    {
        foreach (int axis in new[] { 0, 1, 2 })
        {
            int[] Shape(int k) { var s = new[] { 2, 3, 3 }; s[axis] = k; return s; }
            var parts = new[] { RandD(1, Shape(n)), StridedD(2, Shape(Math.Max(1, n / 2))), RandD(3, Shape(1)), RandD(4, Shape(n)) };
            var r = JoinOps.Concat(parts, axis);
            Close(JoinKernel.ConcatReference(parts, axis), r.ToArray<double>(), 0);

            var f32 = parts.Select((p, i) => i == 1 ? Strided(ToFloat(p)) : ToFloat(p)).ToArray();
            Assert.Equal(JoinKernel.ConcatReference(f32, axis).Select(v => (float)v), JoinOps.Concat(f32, axis).ToArray<float>());
            var i32 = parts.Select((p, i) => i == 1 ? Strided(ToInt(p)) : ToInt(p)).ToArray();
            Assert.Equal(JoinKernel.ConcatReference(i32, axis).Select(v => (int)v), JoinOps.Concat(i32, axis).ToArray<int>());
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Stack_matches_loops_over_sizes(int n)
    {
        var a = RandD(1, n, 3);
        var b = StridedD(2, n, 3);
        var s = JoinOps.Stack([a, b], 1); // (n, 2, 3)
        Assert.Equal([n, 2, 3], s.Shape.ToArray());
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(a[i, j], s[i, 0, j]);
                Assert.Equal(b[i, j], s[i, 1, j]);
            }
    }

    [Fact]
    public void Stack_of_scalars_gives_a_vector()
    {
        var s = JoinOps.Stack([Tensor.Scalar(1), Tensor.Scalar(2), Tensor.Scalar(3)], 0);
        Assert.Equal([1f, 2, 3], s.ToArray<float>());
        Assert.Equal([3], s.Shape.ToArray());
    }

    [Fact]
    public void Concat_errors_name_op_input_and_shapes()
    {
        var a = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => JoinOps.Concat([], 0));
        Assert.Contains("concat", e.Message);
        Assert.Contains("empty", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinOps.Concat([a, a, Tensor.Zeros([2, 3], DType.Float64)], 0));
        Assert.Contains("concat: input 2", e.Message);
        Assert.Contains("Float64", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinOps.Concat([a, Tensor.Zeros([2, 3, 1])], 0));
        Assert.Contains("concat: input 1", e.Message);
        Assert.Contains("(2, 3, 1)", e.Message);
        Assert.Contains("(2, 3)", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinOps.Concat([a, Tensor.Zeros([2, 5]), Tensor.Zeros([4, 3])], 1));
        Assert.Contains("concat: input 2 has shape (4, 3)", e.Message);
        Assert.Contains("input 0 has (2, 3)", e.Message);
        Assert.Contains("axis 0", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinOps.Concat([Tensor.Scalar(1), Tensor.Scalar(2)], 0));
        Assert.Contains("concat", e.Message);
        Assert.Contains("zero-dimensional", e.Message);

        var o = Assert.Throws<ArgumentOutOfRangeException>(() => JoinOps.Concat([a, a], 2));
        Assert.Contains("concat", o.Message);
    }

    [Fact]
    public void Stack_split_chunk_errors_name_op_and_shapes()
    {
        var a = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => JoinOps.Stack([a, Tensor.Zeros([3, 2])], 0));
        Assert.Contains("stack: input 1 has shape (3, 2)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => JoinOps.Stack([a, Tensor.Zeros([2, 3], DType.Int32)], 0));
        Assert.Contains("stack: input 1", e.Message);
        Assert.Contains("Int32", e.Message);
        Assert.Contains("stack", Assert.Throws<ArgumentException>(() => JoinOps.Stack([], 0)).Message);
        Assert.Contains("stack", Assert.Throws<ArgumentOutOfRangeException>(() => JoinOps.Stack([a], 3)).Message);

        e = Assert.Throws<ArgumentException>(() => a.Split([1, 1], 1));
        Assert.Contains("split", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => a.Split(0, 1));
        Assert.Contains("split: size must be positive", e.Message);
        Assert.Contains("split", Assert.Throws<ArgumentException>(() => a.Split([4, -1], 1)).Message);
        e = Assert.Throws<ArgumentException>(() => a.Chunk(0, 1));
        Assert.Contains("chunk", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    private static Tensor ToFloat(Tensor t) => Tensor.From(t.ToArray<double>().Select(v => (float)v).ToArray(), t.ShapeArray);

    /// <summary>The same values as a view taking every second row of a larger tensor.</summary>
    private static Tensor Strided(Tensor t)
    {
        var shape = t.ShapeArray.ToArray();
        shape[0] *= 2;
        var view = Tensor.Zeros(shape, t.DType).Slice(0, 0, shape[0], 2);
        view.CopyFrom(t);
        return view;
    }

    private static Tensor ToInt(Tensor t) => Tensor.From(t.ToArray<double>().Select(v => (int)Math.Round(v * 100)).ToArray(), t.ShapeArray);
}
