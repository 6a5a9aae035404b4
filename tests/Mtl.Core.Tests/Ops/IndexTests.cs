// Tests of gather / scatter-add / index-select / index-add / embedding / one-hot: gradient checks (first and second
// order), values against the naive oracle over a size sweep, determinism across thread counts, and bad inputs.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class IndexTests
{
    /// <summary>Int32 tensor of uniform indices in [0, max).</summary>
    internal static Tensor RandIdx(ulong seed, int max, params int[] shape)
    {
        var g = new Generator(seed);
        var v = new int[ShapeUtil.Numel(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = g.NextInt(max);
        return Tensor.From(v, shape);
    }

    private static Tensor Idx(params int[] v) => Tensor.From(v, v.Length);

    // ---- gather / scatter-add ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Gather_grad_with_repeats_and_smaller_index(int axis)
    {
        int ax = axis < 0 ? axis + 3 : axis;
        var xShape = new[] { 3, 4, 5 };
        var iShape = new[] { 2, 3, 4 }; // smaller than x on the other axes
        iShape[ax] = 7;                 // larger than x on the gather axis: repeats are certain
        var index = RandIdx(1, xShape[ax], iShape);
        GradOk(t => t[0].Gather(axis, index), RandD(2, xShape));
        GradOk(t => t[0].Gather(axis, index), StridedD(3, xShape));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ScatterAdd_grad_in_both_inputs_with_repeats(int axis)
    {
        var xShape = new[] { 4, 5 };
        var iShape = new[] { 3, 4 };
        iShape[axis] = 6;
        var srcShape = new[] { 7, 8 }; // larger than the index on both axes
        var index = RandIdx(4, xShape[axis], iShape);
        GradOk(t => t[0].ScatterAdd(axis, index, t[1]), RandD(5, xShape), RandD(6, srcShape));
        GradOk(t => t[0].ScatterAdd(axis, index, t[1]), StridedD(7, xShape), StridedD(8, srcShape));
    }

    public static TheoryData<int> Sizes => new() { 0, 1, 7, 8, 9, 16, 17, 1000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Gather_and_scatter_add_match_reference(int n)
    {
        foreach (int axis in new[] { 0, 1, 2 })
        {
            var xShape = new[] { 2, 3, 4 };
            xShape[axis] = Math.Max(1, n);
            var iShape = new[] { 2, 2, 3 };
            iShape[axis] = n;
            var index = RandIdx((ulong)(10 + axis), xShape[axis], iShape);
            var x = StridedD(11, xShape);
            var xa = x.ToArray<double>();
            Close(IndexReference.Gather(xa, xShape, axis, index.ToArray<int>(), iShape), x.Gather(axis, index).ToArray<double>(), 0);
            // Strided index (a transposed copy viewed back) and an Int32 input.
            var tIndex = Tensor.From(index.Permute(2, 1, 0).ToArray<int>(), iShape.Reverse().ToArray()).Permute(2, 1, 0);
            var xi = Tensor.From(xa.Select(v => (int)(v * 1000)).ToArray(), xShape);
            Assert.Equal(IndexReference.Gather(xi.ToDoubleArray(), xShape, axis, index.ToArray<int>(), iShape).Select(v => (int)v),
                xi.Gather(axis, tIndex).ToArray<int>());

            var src = RandD(12, iShape.Select(d => d + 1).ToArray());
            var expected = IndexReference.ScatterAdd(xa, xShape, axis, index.ToArray<int>(), iShape, src.ToArray<double>(), src.ShapeArray);
            Close(expected, x.ScatterAdd(axis, tIndex, src).ToArray<double>(), 1e-12);
            var x32 = Tensor.From(xa.Select(v => (float)v).ToArray(), xShape);
            var s32 = Tensor.From(src.ToArray<double>().Select(v => (float)v).ToArray(), src.ShapeArray);
            Close(expected, x32.ScatterAdd(axis, index, s32).ToDoubleArray(), 1e-5);
        }
    }

    // ---- index-select / index-add ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void IndexSelect_grad_with_repeats(int axis)
    {
        var indices = Idx(2, 0, 2, 3, 2, 1);
        GradOk(t => t[0].IndexSelect(axis, indices), RandD(1, 4, 4, 4));
        GradOk(t => t[0].IndexSelect(axis, indices), StridedD(2, 4, 5, 6));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void IndexAdd_grad_in_both_inputs(int axis)
    {
        var indices = Idx(1, 3, 1, 0, 1);
        var srcShape = new[] { 4, 4, 4 };
        srcShape[axis < 0 ? axis + 3 : axis] = 5;
        GradOk(t => t[0].IndexAdd(axis, indices, t[1]), RandD(1, 4, 4, 4), RandD(2, srcShape));
        GradOk(t => t[0].IndexAdd(axis, indices, t[1]), StridedD(3, 4, 4, 4), StridedD(4, srcShape));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void IndexSelect_and_IndexAdd_match_reference(int n)
    {
        foreach (int axis in new[] { 0, 1, 2 })
        {
            var xShape = new[] { 3, 2, 5 };
            xShape[axis] = Math.Max(1, n % 13);
            var idx = RandIdx((ulong)(20 + axis), xShape[axis], n).ToArray<int>();
            var x = StridedD(21, xShape);
            var xa = x.ToArray<double>();
            var r = x.IndexSelect(axis, Idx(idx));
            Close(IndexReference.IndexSelect(xa, xShape, axis, idx), r.ToArray<double>(), 0);
            var x32 = Tensor.From(xa.Select(v => (float)v).ToArray(), xShape);
            Close(IndexReference.IndexSelect(xa, xShape, axis, idx), x32.IndexSelect(axis, Idx(idx)).ToDoubleArray(), 1e-7);
            var xi = Tensor.From(xa.Select(v => (int)(v * 1000)).ToArray(), xShape);
            Assert.Equal(IndexReference.IndexSelect(xi.ToDoubleArray(), xShape, axis, idx).Select(v => (int)v), xi.IndexSelect(axis, Idx(idx)).ToArray<int>());

            var src = StridedD(22, r.ShapeArray);
            Close(IndexReference.IndexAdd(xa, xShape, axis, idx, src.ToArray<double>()), x.IndexAdd(axis, Idx(idx), src).ToArray<double>(), 1e-12);
        }
    }

    // ---- embedding ----

    [Fact]
    public void Embedding_grad_with_repeats_and_padding()
    {
        var indices = Tensor.From(new[] { 1, 3, 3, 0, 5, 1, 2, 3, 1, 4 }, 2, 5);
        GradOk(t => IndexOps.Embedding(indices, t[0]), RandD(1, 6, 4));
        // Padding lookups still read their row but send it no gradient (PyTorch), so the checked function zeroes their
        // outputs: then the true derivative matches and the remaining rows must still accumulate correctly.
        Tensor Unpadded(int pad) => Tensor.From(indices.ToArray<int>().Select(i => i == pad ? 0.0 : 1.0).ToArray(), 2, 5, 1);
        GradOk(t => IndexOps.Embedding(indices, t[0], paddingIdx: 1).Mul(Unpadded(1)), RandD(2, 6, 4));
        GradOk(t => IndexOps.Embedding(indices, t[0], paddingIdx: -1).Mul(Unpadded(5)), StridedD(3, 6, 4));

        // The padding row gets exactly zero gradient; the others sum their lookups.
        var w = RandD(4, 6, 4).RequireGrad();
        IndexOps.Embedding(indices, w, paddingIdx: 3).Sum().Backward();
        var gw = w.Grad!.ToArray<double>();
        int[] counts = [1, 3, 1, 0, 1, 1]; // index 3 is padding
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 4; c++) Assert.Equal(counts[r], gw[r * 4 + c]);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Embedding_float32_matches_reference(int dim)
    {
        int num = 11;
        var weight = Tensor.RandN([num, dim], new Generator(7)).RequireGrad();
        var indices = RandIdx(8, num, 3, 9);
        var idx = indices.ToArray<int>();
        var y = IndexOps.Embedding(indices, weight, paddingIdx: 4);
        Assert.Equal([3, 9, dim], y.Shape.ToArray());
        Assert.Equal(IndexReference.IndexSelect(weight.ToDoubleArray(), [num, dim], 0, idx).Select(v => (float)v), y.ToArray<float>());

        var g = Tensor.RandN([3, 9, dim], new Generator(9));
        y.Backward(g);
        var expected = IndexReference.IndexAdd(new double[num * dim], [num, dim], 0, idx, g.ToDoubleArray(), skip: 4);
        Close(expected, weight.Grad!.ToDoubleArray(), 1e-5);
    }

    [Fact]
    public void Second_order_gradients_through_index_ops()
    {
        // d/dθ of (∂L/∂θ · c) for L built from each op: exercises the differentiable (createGraph) backward paths.
        var indices = Tensor.From(new[] { 1, 3, 3, 0, 1, 2 }, 2, 3);
        var gIndex = RandIdx(1, 4, 4, 3);
        Tensor SecondOrder(Tensor w, Func<Tensor, Tensor> loss)
        {
            using var _ = GradMode.EnableGrad();
            var grad = Autograd.Grad([loss(w)], [w], retainGraph: true, createGraph: true)[0]!;
            return grad.Mul(w); // depends on w both directly and through the gradient
        }
        GradOk(t => SecondOrder(t[0], w => IndexOps.Embedding(indices, w, paddingIdx: 3).Square().Sum()), RandD(2, 5, 3));
        GradOk(t => SecondOrder(t[0], w => w.Gather(0, gIndex).Square().Sum()), RandD(3, 4, 3));
        GradOk(t => SecondOrder(t[0], w => w.IndexSelect(1, Idx(2, 0, 2)).Pow(3).Sum()), RandD(4, 4, 3));
        GradOk(t => SecondOrder(t[0], w => Tensor.Zeros([4, 3], DType.Float64).ScatterAdd(0, gIndex, w).Square().Sum()), RandD(5, 4, 3));
        GradOk(t => SecondOrder(t[0], w => Tensor.Zeros([4, 3], DType.Float64).IndexAdd(1, Idx(1, 1, 0), w).Square().Sum()), RandD(6, 4, 3));
    }

    // ---- one-hot ----

    [Fact]
    public void OneHot_values_and_dtypes()
    {
        var labels = Tensor.From(new[] { 2, 0, 1, 2, 3, 0 }, 2, 3);
        var r = labels.OneHot(4);
        Assert.Equal([2, 3, 4], r.Shape.ToArray());
        Assert.Equal(DType.Float32, r.DType);
        var v = r.ToArray<float>();
        var l = labels.ToArray<int>();
        for (int i = 0; i < 6; i++)
            for (int c = 0; c < 4; c++) Assert.Equal(l[i] == c ? 1f : 0f, v[i * 4 + c]);
        // Strided labels (transpose) and other dtypes.
        var t = labels.T();
        var rt = IndexOps.OneHot(t, 5, DType.Int32);
        Assert.Equal([3, 2, 5], rt.Shape.ToArray());
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                for (int c = 0; c < 5; c++) Assert.Equal(t[i, j] == c ? 1 : 0, rt[i, j, c]);
        Assert.Equal(DType.Float64, Tensor.From(new[] { 0 }, 1).OneHot(1, DType.Float64).DType);
        Assert.Equal([0, 3], Tensor.Zeros([0], DType.Int32).OneHot(3).Shape.ToArray());
    }

    // ---- bad inputs ----

    [Fact]
    public void Non_int32_indices_are_rejected_naming_the_op()
    {
        var x = RandD(1, 3, 4);
        var f = Tensor.Zeros([3, 4]);
        var v = Tensor.Zeros([2]);
        AssertArg(() => x.Gather(0, f), "gather", "Float32");
        AssertArg(() => x.ScatterAdd(0, f, x), "scatter_add", "Float32");
        AssertArg(() => x.IndexSelect(0, v), "index_select", "Float32");
        AssertArg(() => x.IndexAdd(0, v, x), "index_add", "Float32");
        AssertArg(() => v.OneHot(3), "one_hot", "Float32");
        AssertArg(() => IndexOps.Embedding(Tensor.Zeros([2], DType.Float64), x), "embedding", "Float64");
    }

    [Fact]
    public void Out_of_range_indices_name_op_value_position_and_range()
    {
        var x = RandD(1, 3, 4);
        var bad = Tensor.From(new[] { 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7 }, 3, 4); // fine on axis 0 only up to 2
        AssertRange(() => x.Gather(0, bad), "gather", "index 3", "[0, 3]", "[0, 2]");
        var neg = Tensor.From(new[] { 0, 1, 2, 3, 0, 1, -1, 3, 1, 1, 1, 1 }, 3, 4);
        AssertRange(() => x.Gather(1, neg), "gather", "index -1", "[1, 2]", "[0, 3]");
        AssertRange(() => x.ScatterAdd(1, neg, x), "scatter_add", "index -1", "[1, 2]", "[0, 3]");
        AssertRange(() => x.ScatterAdd(0, bad, x), "scatter_add", "index 3", "[0, 3]", "[0, 2]");
        AssertRange(() => x.IndexSelect(1, Idx(0, 3, 4)), "index_select", "index 4", "[2]", "[0, 3]");
        AssertRange(() => x.IndexSelect(0, Idx(-2)), "index_select", "index -2", "[0]", "[0, 2]");
        AssertRange(() => x.IndexAdd(0, Idx(2, 3), RandD(2, 2, 4)), "index_add", "index 3", "[1]", "[0, 2]");
        AssertRange(() => x.IndexAdd(1, Idx(-1), RandD(2, 3, 1)), "index_add", "index -1", "[0]", "[0, 3]");
        AssertRange(() => bad.OneHot(5), "one_hot", "index 5", "[2, 1]", "[0, 4]");
        AssertRange(() => neg.OneHot(8), "one_hot", "index -1", "[1, 2]", "[0, 7]");
        AssertRange(() => IndexOps.Embedding(bad, x), "embedding", "index 3", "[0, 3]", "[0, 2]");
        AssertRange(() => IndexOps.Embedding(Tensor.From(new[] { 0, 0, 0, -3 }, 2, 2), x), "embedding", "index -3", "[1, 1]", "[0, 2]");
        // Only the last entry is bad: the whole index is checked, and the output is never written.
        AssertRange(() => x.IndexSelect(0, Idx(0, 1, 2, 0, 1, 2, 9)), "index_select", "index 9", "[6]", "[0, 2]");
    }

    [Fact]
    public void Bad_shapes_and_arguments_name_op_and_shapes()
    {
        var x = RandD(1, 3, 4);
        AssertArg(() => x.Gather(0, Tensor.Zeros([3], DType.Int32)), "gather", "(3,)", "(3, 4)");
        AssertArg(() => x.Gather(0, Tensor.Zeros([2, 5], DType.Int32)), "gather", "(2, 5)", "(3, 4)", "axis 1");
        AssertArg(() => x.ScatterAdd(0, Tensor.Zeros([2, 3], DType.Int32), RandD(2, 1, 3)), "scatter_add", "(2, 3)", "(1, 3)");
        AssertArg(() => x.ScatterAdd(0, Tensor.Zeros([2, 5], DType.Int32), RandD(2, 2, 5)), "scatter_add", "(2, 5)", "(3, 4)");
        AssertArg(() => x.ScatterAdd(0, Tensor.Zeros([2, 3], DType.Int32), Tensor.Zeros([2, 3])), "scatter_add", "Float32");
        AssertArg(() => x.IndexSelect(0, Tensor.Zeros([2, 2], DType.Int32)), "index_select", "(2, 2)");
        AssertArg(() => x.IndexAdd(0, Idx(0, 1), RandD(2, 3, 4)), "index_add", "(3, 4)", "size 2");
        AssertArg(() => IndexOps.Embedding(Idx(0), RandD(2, 5)), "embedding", "(5,)");
        AssertArg(() => IndexOps.Embedding(Idx(0), Tensor.Zeros([3, 2], DType.Int32)), "embedding", "Int32");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => IndexOps.Embedding(Idx(0), x, paddingIdx: 3));
        Assert.Contains("embedding: paddingIdx 3", e.Message);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("one_hot", Assert.Throws<ArgumentOutOfRangeException>(() => Idx(0).OneHot(0)).Message);
        Assert.Contains("gather", Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(2, Tensor.Zeros([3, 4], DType.Int32))).Message);
    }

    private static void AssertArg(Action a, params string[] parts)
    {
        var e = Assert.Throws<ArgumentException>(a);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    private static void AssertRange(Action a, string op, string value, string position, string range)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(a);
        Assert.StartsWith(op + ":", e.Message);
        Assert.Contains(value, e.Message);
        Assert.Contains($"at position {position}", e.Message);
        Assert.Contains($"valid range {range}", e.Message);
    }
}
