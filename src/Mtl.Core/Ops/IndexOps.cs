// Differentiable indexing with Int32 index tensors: gather, scatter-add, index-select, index-add, embedding lookup, one-hot.
using Mtl.Kernels;

namespace Mtl;

/// <summary>
/// Index ops (PyTorch semantics). Index tensors must be Int32; every index is range-checked before anything is
/// written, and an out-of-range one raises <see cref="ArgumentOutOfRangeException"/> naming the op, value and position.
/// Negative indices are out of range (no wrap-around).
/// </summary>
public static class IndexOps
{
    /// <summary>
    /// Picks along <paramref name="axis"/>: out[i][j][k] = x[index[i][j][k]][j][k] for axis 0, etc. The index has x's
    /// rank and may be smaller than x on the other axes; the output has the index's shape. Backward scatter-adds.
    /// </summary>
    public static Tensor Gather(this Tensor x, int axis, Tensor index)
    {
        const string op = "gather";
        RequireIndex(op, index, "index");
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, op);
        if (index.Rank != x.Rank)
            throw new ArgumentException($"{op}: index {index.ShapeString} must have the same rank as input {x.ShapeString}");
        for (int d = 0; d < x.Rank; d++)
        {
            if (d != ax && index.Shape[d] > x.Shape[d])
                throw new ArgumentException(
                    $"{op}: index {index.ShapeString} is larger than input {x.ShapeString} on axis {d} ({index.Shape[d]} > {x.Shape[d]}); only the gather axis {ax} may be larger");
        }
        IndexKernels.CheckRange(op, index, x.Shape[ax], $"axis {ax} of input {x.ShapeString}");
        return GatherCore(x, ax, index);
    }

    /// <summary>
    /// out = x with src added at the indexed places: out[index[i][j]][j] += src[i][j] for axis 0, etc. (repeated indices
    /// accumulate, in row-major order). x, index and src share a rank; index may be smaller than src on any axis and
    /// than x on every axis but <paramref name="axis"/>. Differentiable in x and src.
    /// </summary>
    public static Tensor ScatterAdd(this Tensor x, int axis, Tensor index, Tensor src)
    {
        const string op = "scatter_add";
        RequireIndex(op, index, "index");
        FloatCheck.Require(op, x, src);
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, op);
        if (index.Rank != x.Rank || src.Rank != x.Rank)
            throw new ArgumentException($"{op}: input {x.ShapeString}, index {index.ShapeString} and src {src.ShapeString} must have the same rank");
        for (int d = 0; d < x.Rank; d++)
        {
            if (index.Shape[d] > src.Shape[d])
                throw new ArgumentException($"{op}: index {index.ShapeString} is larger than src {src.ShapeString} on axis {d} ({index.Shape[d]} > {src.Shape[d]})");
            if (d != ax && index.Shape[d] > x.Shape[d])
                throw new ArgumentException(
                    $"{op}: index {index.ShapeString} is larger than input {x.ShapeString} on axis {d} ({index.Shape[d]} > {x.Shape[d]}); only the scatter axis {ax} may be larger");
        }
        IndexKernels.CheckRange(op, index, x.Shape[ax], $"axis {ax} of input {x.ShapeString}");
        return ScatterAddCore(x, ax, index, src);
    }

    /// <summary>
    /// The slices of x at <paramref name="indices"/> (1-D Int32, repeats allowed) along <paramref name="axis"/>: the
    /// result has x's shape with that axis resized to the number of indices. Backward index-adds.
    /// </summary>
    public static Tensor IndexSelect(this Tensor x, int axis, Tensor indices)
    {
        const string op = "index_select";
        RequireIndex(op, indices, "indices");
        RequireVector(op, indices);
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, op);
        IndexKernels.CheckRange(op, indices, x.Shape[ax], $"axis {ax} of input {x.ShapeString}");
        return IndexSelectCore(x, ax, indices);
    }

    /// <summary>
    /// out = x with src's slices added at <paramref name="indices"/> along <paramref name="axis"/>:
    /// out[..., indices[j], ...] += src[..., j, ...] (repeats accumulate, in index order). src has x's shape except
    /// that axis, which has one entry per index. Differentiable in x and src.
    /// </summary>
    public static Tensor IndexAdd(this Tensor x, int axis, Tensor indices, Tensor src)
    {
        const string op = "index_add";
        RequireIndex(op, indices, "indices");
        RequireVector(op, indices);
        FloatCheck.Require(op, x, src);
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, op);
        bool ok = src.Rank == x.Rank;
        for (int d = 0; ok && d < x.Rank; d++) ok = src.Shape[d] == (d == ax ? indices.Numel : x.Shape[d]);
        if (!ok)
            throw new ArgumentException(
                $"{op}: src {src.ShapeString} must match input {x.ShapeString} except on axis {ax}, where it needs size {indices.Numel} (one per index)");
        IndexKernels.CheckRange(op, indices, x.Shape[ax], $"axis {ax} of input {x.ShapeString}");
        return IndexAddCore(x, ax, indices, src);
    }

    /// <summary>
    /// One-hot encoding: Int32 labels of any shape → shape + (numClasses), 1 at each label and 0 elsewhere. No gradient.
    /// </summary>
    public static Tensor OneHot(this Tensor labels, int numClasses, DType dtype = DType.Float32)
    {
        const string op = "one_hot";
        RequireIndex(op, labels, "labels");
        if (numClasses <= 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{op}: numClasses must be positive, got {numClasses} for labels {labels.ShapeString}");
        IndexKernels.CheckRange(op, labels, numClasses, $"{numClasses} classes");
        var shape = labels.ShapeArray.Append(numClasses).ToArray();
        var r = Tensor.Zeros(shape, dtype); // (..., C)
        ReadOnlySpan<int> l = labels.IsContiguous ? labels.Span<int>() : labels.ToArray<int>();
        switch (dtype)
        {
            case DType.Float32: { var d = r.Span<float>(); for (int i = 0; i < l.Length; i++) d[i * numClasses + l[i]] = 1; break; }
            case DType.Float64: { var d = r.Span<double>(); for (int i = 0; i < l.Length; i++) d[i * numClasses + l[i]] = 1; break; }
            default: { var d = r.Span<int>(); for (int i = 0; i < l.Length; i++) d[i * numClasses + l[i]] = 1; break; }
        }
        return r;
    }

    /// <summary>
    /// Embedding lookup: rows of <paramref name="weight"/> (num, dim) at Int32 <paramref name="indices"/> of any shape,
    /// giving indices.shape + (dim). The weight gradient accumulates rows in index order (deterministic); rows looked up
    /// through <paramref name="paddingIdx"/> (negative counts from the end) get no gradient, as in PyTorch.
    /// </summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        const string op = "embedding";
        RequireIndex(op, indices, "indices");
        FloatCheck.Require(op, weight);
        if (weight.Rank != 2) throw new ArgumentException($"{op}: weight must be 2-D (num, dim), got {weight.ShapeString}");
        int num = weight.Shape[0], dim = weight.Shape[1];
        int pad = -1;
        if (paddingIdx is int p)
        {
            pad = p < 0 ? p + num : p;
            if (pad < 0 || pad >= num)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), p, $"{op}: paddingIdx {p} is out of range for weight {weight.ShapeString} (valid range [{-num}, {num - 1}])");
        }
        IndexKernels.CheckRange(op, indices, num, $"weight {weight.ShapeString} with {num} rows");

        var idx = indices.ToArray<int>(); // (n) flattened lookups
        var w = weight.IsContiguous ? weight : weight.Detach().Contiguous();
        var r = Tensor.Empty(indices.ShapeArray.Append(dim).ToArray(), weight.DType); // (..., dim)
        if (weight.DType == DType.Float32) IndexKernels.IndexSelect<float>(w, 1, num, dim, idx, r);
        else IndexKernels.IndexSelect<double>(w, 1, num, dim, idx, r);
        if (!Autograd.ShouldRecord(weight)) return r;
        return Autograd.Record(r, op, [weight], g => [EmbeddingBackward(g, idx, num, dim, pad)], indices);
    }

    /// <summary>dW (num, dim): Σ over lookups n with idx[n] ≠ pad of g[n] added into row idx[n], in lookup order.</summary>
    private static Tensor EmbeddingBackward(Tensor g, int[] idx, int num, int dim, int pad)
    {
        if (GradMode.IsEnabled)
        {
            // createGraph: the same sum written with differentiable ops (padding rows masked out of g).
            var g2 = g.Reshape(idx.Length, dim); // (n, dim)
            if (pad >= 0) g2 = g2.Mul(KeepMask(idx, pad, g.DType));
            return IndexAddCore(Tensor.Zeros([num, dim], g.DType), 0, Tensor.From(idx, idx.Length), g2);
        }
        var gw = Tensor.Zeros([num, dim], g.DType);
        var gs = g.IsContiguous ? g : g.Detach().Contiguous();
        if (g.DType == DType.Float32) IndexKernels.IndexAdd<float>(gw, 1, num, dim, idx, gs, pad);
        else IndexKernels.IndexAdd<double>(gw, 1, num, dim, idx, gs, pad);
        return gw;
    }

    /// <summary>(n, 1) column of 0 where idx = pad and 1 elsewhere.</summary>
    private static Tensor KeepMask(int[] idx, int pad, DType dtype)
    {
        var m = Tensor.Ones([idx.Length, 1], dtype);
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] != pad) continue;
            if (dtype == DType.Float32) m.Span<float>()[i] = 0;
            else m.Span<double>()[i] = 0;
        }
        return m;
    }

    private static Tensor GatherCore(Tensor x, int ax, Tensor index)
    {
        var r = Tensor.Empty(index.ShapeArray, x.DType); // index's shape
        switch (x.DType)
        {
            case DType.Float32: IndexKernels.Gather<float>(x, ax, index, r); break;
            case DType.Float64: IndexKernels.Gather<double>(x, ax, index, r); break;
            default: IndexKernels.Gather<int>(x, ax, index, r); break;
        }
        if (!Autograd.ShouldRecord(x)) return r;
        var xShape = x.ShapeArray;
        return Autograd.Record(r, "gather", [x], g => [ScatterAddCore(Tensor.Zeros(xShape, g.DType), ax, index, g)], index);
    }

    private static Tensor ScatterAddCore(Tensor x, int ax, Tensor index, Tensor src)
    {
        var r = Tensor.Empty(x.ShapeArray, x.DType); // x's shape
        x.CopyDataTo(r);
        if (x.DType == DType.Float32) IndexKernels.ScatterAdd<float>(r, ax, index, src);
        else IndexKernels.ScatterAdd<double>(r, ax, index, src);
        if (!Autograd.ShouldRecord(x, src)) return r;
        var srcShape = src.ShapeArray;
        return Autograd.Record(r, "scatter_add", [x, src], g =>
        [
            x.RequiresGrad ? g : null,
            src.RequiresGrad ? ZeroPadTo(GatherCore(g, ax, index), srcShape) : null,
        ], index);
    }

    private static Tensor IndexSelectCore(Tensor x, int ax, Tensor indices)
    {
        var idx = indices.ToArray<int>();
        var (outer, inner) = OuterInner(x.Shape, ax);
        var src = x.IsContiguous ? x : x.Detach().Contiguous();
        var shape = x.ShapeArray.ToArray();
        shape[ax] = idx.Length;
        var r = Tensor.Empty(shape, x.DType); // (outer, m, inner)
        switch (x.DType)
        {
            case DType.Float32: IndexKernels.IndexSelect<float>(src, outer, x.Shape[ax], inner, idx, r); break;
            case DType.Float64: IndexKernels.IndexSelect<double>(src, outer, x.Shape[ax], inner, idx, r); break;
            default: IndexKernels.IndexSelect<int>(src, outer, x.Shape[ax], inner, idx, r); break;
        }
        if (!Autograd.ShouldRecord(x)) return r;
        var xShape = x.ShapeArray;
        return Autograd.Record(r, "index_select", [x], g => [IndexAddCore(Tensor.Zeros(xShape, g.DType), ax, indices, g)], indices);
    }

    private static Tensor IndexAddCore(Tensor x, int ax, Tensor indices, Tensor src)
    {
        var idx = indices.ToArray<int>();
        var (outer, inner) = OuterInner(x.Shape, ax);
        var r = Tensor.Empty(x.ShapeArray, x.DType); // (outer, size, inner)
        x.CopyDataTo(r);
        var s = src.IsContiguous ? src : src.Detach().Contiguous(); // (outer, m, inner)
        if (x.DType == DType.Float32) IndexKernels.IndexAdd<float>(r, outer, x.Shape[ax], inner, idx, s);
        else IndexKernels.IndexAdd<double>(r, outer, x.Shape[ax], inner, idx, s);
        if (!Autograd.ShouldRecord(x, src)) return r;
        return Autograd.Record(r, "index_add", [x, src], g =>
        [
            x.RequiresGrad ? g : null,
            src.RequiresGrad ? IndexSelectCore(g, ax, indices) : null,
        ], indices);
    }

    /// <summary>t placed at the start of every axis of a zero tensor of <paramref name="shape"/> (differentiable).</summary>
    private static Tensor ZeroPadTo(Tensor t, int[] shape)
    {
        for (int d = 0; d < shape.Length; d++)
        {
            if (t.Shape[d] == shape[d]) continue;
            var s = t.ShapeArray.ToArray();
            s[d] = shape[d];
            t = ViewOps.SliceScatter(t, s, d, 0, 1);
        }
        return t;
    }

    private static (int Outer, int Inner) OuterInner(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, inner);
    }

    private static void RequireIndex(string op, Tensor index, string name)
    {
        ArgumentNullException.ThrowIfNull(index, name);
        if (index.DType != DType.Int32)
            throw new ArgumentException($"{op}: {name} must be an Int32 tensor, got {index.DType} {index.ShapeString}");
    }

    private static void RequireVector(string op, Tensor indices)
    {
        if (indices.Rank > 1) throw new ArgumentException($"{op}: indices must be 1-D, got {indices.ShapeString}");
    }
}
