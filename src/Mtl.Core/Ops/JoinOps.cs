// Joining and splitting along an axis: differentiable concat and stack, and split/chunk as views through Slice.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Concatenation, stacking, splitting and chunking (PyTorch semantics).</summary>
public static class JoinOps
{
    /// <summary>
    /// Joins tensors of one dtype and rank along an existing <paramref name="axis"/> (negative counts from the end);
    /// all other sizes must match. E.g. (2, 3) and (2, 5) on axis 1 give (2, 8).
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        const string op = "concat";
        var first = CheckCommon(tensors, op);
        if (first.Rank == 0)
            throw new ArgumentException($"{op}: zero-dimensional tensors cannot be concatenated (input 0 has shape ()); use Stack");
        int ax = ShapeUtil.NormalizeAxis(axis, first.Rank, op);
        var shape = first.ShapeArray.ToArray();
        shape[ax] = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Rank != first.Rank)
                throw new ArgumentException($"{op}: input {i} has rank {t.Rank} {t.ShapeString} but input 0 has rank {first.Rank} {first.ShapeString}");
            for (int d = 0; d < t.Rank; d++)
            {
                if (d != ax && t.Shape[d] != first.Shape[d])
                    throw new ArgumentException(
                        $"{op}: input {i} has shape {t.ShapeString} but input 0 has {first.ShapeString}; sizes must match except on axis {ax} (they differ on axis {d})");
            }
            shape[ax] += t.Shape[ax];
        }
        var r = Tensor.Empty(shape, first.DType); // sizes along ax add up
        JoinKernel.Concat(tensors, ax, r);

        var inputs = tensors.ToArray();
        if (!Autograd.ShouldRecord(inputs)) return r;
        var starts = new int[inputs.Length];
        for (int i = 1; i < inputs.Length; i++) starts[i] = starts[i - 1] + inputs[i - 1].Shape[ax];
        return Autograd.Record(r, op, inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) grads[i] = g.Slice(ax, starts[i], starts[i] + inputs[i].Shape[ax]);
            return grads;
        });
    }

    /// <summary>
    /// Joins tensors of one shape and dtype along a new <paramref name="axis"/> (in [-(rank+1), rank]):
    /// N tensors of (2, 3) stacked on axis 1 give (2, N, 3).
    /// </summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis)
    {
        const string op = "stack";
        var first = CheckCommon(tensors, op);
        int ax = ShapeUtil.NormalizeAxis(axis, first.Rank + 1, op);
        for (int i = 1; i < tensors.Count; i++)
        {
            if (!ShapeUtil.SameShape(tensors[i].Shape, first.Shape))
                throw new ArgumentException($"{op}: input {i} has shape {tensors[i].ShapeString} but input 0 has {first.ShapeString}; all shapes must be equal");
        }
        // Each input seen as a size-1 slab on the new axis (a plain view; the recorded node covers the gradient).
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = InsertUnitAxis(tensors[i], ax);
        var shape = parts[0].ShapeArray.ToArray();
        shape[ax] = parts.Length;
        var r = Tensor.Empty(shape, first.DType); // (..., N, ...)
        JoinKernel.Concat(parts, ax, r);

        var inputs = tensors.ToArray();
        if (!Autograd.ShouldRecord(inputs)) return r;
        return Autograd.Record(r, op, inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) grads[i] = g.Select(ax, i);
            return grads;
        });
    }

    /// <summary>
    /// Views of consecutive pieces of <paramref name="size"/> along <paramref name="axis"/>; the last may be smaller.
    /// An axis of size 0 gives one empty piece.
    /// </summary>
    public static Tensor[] Split(this Tensor x, int size, int axis = 0)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, "split");
        int n = x.Shape[ax];
        if (size <= 0 && !(size == 0 && n == 0))
            throw new ArgumentException($"split: size must be positive, got {size} for axis {ax} of {x.ShapeString}");
        if (n == 0) return [x.Slice(ax, 0, 0)];
        var pieces = new Tensor[(n + size - 1) / size];
        for (int i = 0; i < pieces.Length; i++)
            pieces[i] = x.Slice(ax, i * size, Math.Min(n, (i + 1) * size));
        return pieces;
    }

    /// <summary>Views of consecutive pieces with the given sizes along <paramref name="axis"/>; they must add up to its size.</summary>
    public static Tensor[] Split(this Tensor x, int[] sizes, int axis = 0)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, "split");
        long total = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new ArgumentException($"split: sizes [{string.Join(", ", sizes)}] contain a negative size for {x.ShapeString}");
            total += s;
        }
        if (total != x.Shape[ax])
            throw new ArgumentException($"split: sizes [{string.Join(", ", sizes)}] add up to {total} but axis {ax} of {x.ShapeString} has size {x.Shape[ax]}");
        var pieces = new Tensor[sizes.Length];
        int at = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            pieces[i] = x.Slice(ax, at, at + sizes[i]);
            at += sizes[i];
        }
        return pieces;
    }

    /// <summary>
    /// Splits into at most <paramref name="chunks"/> views of ceil(n / chunks) along <paramref name="axis"/> (PyTorch's
    /// chunk: fewer pieces when that size covers the axis sooner; an empty axis gives <paramref name="chunks"/> empty views).
    /// </summary>
    public static Tensor[] Chunk(this Tensor x, int chunks, int axis = 0)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, "chunk");
        if (chunks <= 0) throw new ArgumentException($"chunk: chunks must be positive, got {chunks} for {x.ShapeString}");
        int n = x.Shape[ax];
        if (n == 0) return x.Split(new int[chunks], ax);
        return x.Split((n + chunks - 1) / chunks, ax);
    }

    private static Tensor CheckCommon(IReadOnlyList<Tensor> tensors, string op)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{op}: expects at least one tensor, got an empty list");
        var first = tensors[0];
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"{op}: input {i} is null");
            if (t.DType != first.DType)
                throw new ArgumentException($"{op}: input {i} is {t.DType} {t.ShapeString} but input 0 is {first.DType} {first.ShapeString}; dtypes must match");
        }
        return first;
    }

    /// <summary>A view of <paramref name="t"/> with a size-1 axis inserted at <paramref name="axis"/> (no autograd node).</summary>
    private static Tensor InsertUnitAxis(Tensor t, int axis)
    {
        var shape = t.ShapeArray.ToList();
        var strides = t.StridesArray.ToList();
        shape.Insert(axis, 1);
        strides.Insert(axis, 0);
        return new Tensor(t.Storage, shape.ToArray(), strides.ToArray(), t.Offset);
    }
}
