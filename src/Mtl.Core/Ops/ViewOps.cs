// Differentiable views that share storage: reshape, permute/transpose, slice, expand, squeeze/unsqueeze, flatten.
namespace Mtl;

/// <summary>Shape and stride views. Each returns a tensor over the same storage where the layout allows it.</summary>
public static class ViewOps
{
    /// <summary>The same elements with a new shape; one size may be -1 (inferred). Copies only if the view is not contiguous.</summary>
    public static Tensor Reshape(this Tensor x, params int[] shape)
    {
        var target = InferShape(shape, x.Numel, x.ShapeString);
        var strides = x.IsContiguous ? ShapeUtil.ContiguousStrides(target) : ViewStrides(x.ShapeArray, x.StridesArray, target);
        var src = x;
        if (strides is null)
        {
            src = x.Contiguous();
            strides = ShapeUtil.ContiguousStrides(target);
        }
        var r = new Tensor(src.Storage, target, strides, src.Offset);
        if (Autograd.ShouldRecord(src))
        {
            var inShape = src.ShapeArray;
            Autograd.Record(r, "reshape", [src], g => [g.Reshape(inShape)]);
        }
        return r;
    }

    /// <summary>
    /// Strides that show a strided tensor with a new shape without copying, or null when the layout does not allow it.
    /// Old dimensions are grouped into runs that are contiguous among themselves; each run must map onto whole new dims.
    /// </summary>
    internal static int[]? ViewStrides(int[] oldShape, int[] oldStrides, int[] newShape)
    {
        int numel = ShapeUtil.Numel(oldShape);
        if (numel == 0 || oldShape.Length == 0) return ShapeUtil.ContiguousStrides(newShape);
        var result = new int[newShape.Length];
        int viewD = newShape.Length - 1;
        long chunkBase = oldStrides[^1], tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.Length - 1; d >= 0; d--)
        {
            tensorNumel *= oldShape[d];
            bool runEnds = d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase);
            if (!runEnds) continue;
            while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
            {
                result[viewD] = (int)(viewNumel * chunkBase);
                viewNumel *= newShape[viewD];
                viewD--;
            }
            if (viewNumel != tensorNumel) return null;
            if (d > 0)
            {
                chunkBase = oldStrides[d - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return viewD == -1 ? result : null;
    }

    /// <summary>Alias of <see cref="Reshape"/>.</summary>
    public static Tensor View(this Tensor x, params int[] shape) => x.Reshape(shape);

    /// <summary>Merges dimensions startDim..endDim into one.</summary>
    public static Tensor Flatten(this Tensor x, int startDim = 0, int endDim = -1)
    {
        if (x.Rank == 0) return x.Reshape(1);
        int s = ShapeUtil.NormalizeAxis(startDim, x.Rank, "Flatten");
        int e = ShapeUtil.NormalizeAxis(endDim, x.Rank, "Flatten");
        if (e < s) throw new ArgumentException($"Flatten: startDim {startDim} comes after endDim {endDim} for shape {x.ShapeString}");
        var shape = new List<int>();
        for (int i = 0; i < s; i++) shape.Add(x.Shape[i]);
        int m = 1;
        for (int i = s; i <= e; i++) m *= x.Shape[i];
        shape.Add(m);
        for (int i = e + 1; i < x.Rank; i++) shape.Add(x.Shape[i]);
        return x.Reshape(shape.ToArray());
    }

    /// <summary>Reorders dimensions: result dim i is input dim dims[i].</summary>
    public static Tensor Permute(this Tensor x, params int[] dims)
    {
        if (dims.Length != x.Rank)
            throw new ArgumentException($"Permute: {dims.Length} dims given for a tensor {x.ShapeString} of rank {x.Rank}");
        var seen = new bool[x.Rank];
        var shape = new int[x.Rank];
        var strides = new int[x.Rank];
        var inverse = new int[x.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            int d = ShapeUtil.NormalizeAxis(dims[i], x.Rank, "Permute");
            if (seen[d]) throw new ArgumentException($"Permute: dimension {d} appears twice in [{string.Join(", ", dims)}]");
            seen[d] = true;
            shape[i] = x.Shape[d];
            strides[i] = x.Strides[d];
            inverse[d] = i;
        }
        var r = new Tensor(x.Storage, shape, strides, x.Offset);
        if (Autograd.ShouldRecord(x)) Autograd.Record(r, "permute", [x], g => [g.Permute(inverse)]);
        return r;
    }

    /// <summary>Swaps two dimensions.</summary>
    public static Tensor Transpose(this Tensor x, int dim0, int dim1)
    {
        int a = ShapeUtil.NormalizeAxis(dim0, x.Rank, "Transpose"), b = ShapeUtil.NormalizeAxis(dim1, x.Rank, "Transpose");
        var p = new int[x.Rank];
        for (int i = 0; i < p.Length; i++) p[i] = i;
        (p[a], p[b]) = (p[b], p[a]);
        return x.Permute(p);
    }

    /// <summary>Transpose of a 2-D tensor.</summary>
    public static Tensor T(this Tensor x)
    {
        if (x.Rank != 2) throw new ArgumentException($"T(): expects a 2-D tensor, got {x.ShapeString}");
        return x.Transpose(0, 1);
    }

    /// <summary>Elements start, start+step, ... below end along <paramref name="axis"/> (negative start/end count from the end).</summary>
    public static Tensor Slice(this Tensor x, int axis, int start, int end, int step = 1)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, "Slice");
        int size = x.Shape[ax];
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive, got {step}");
        int s = start < 0 ? start + size : start, e = end < 0 ? end + size : end;
        s = Math.Clamp(s, 0, size);
        e = Math.Clamp(e, s, size);
        int len = (e - s + step - 1) / step;
        var shape = x.ShapeArray.ToArray();
        var strides = x.StridesArray.ToArray();
        shape[ax] = len;
        strides[ax] *= step;
        var r = new Tensor(x.Storage, shape, strides, x.Offset + s * x.Strides[ax]);
        if (Autograd.ShouldRecord(x))
        {
            var inShape = x.ShapeArray;
            Autograd.Record(r, "slice", [x], g => [SliceScatter(g, inShape, ax, s, step)]);
        }
        return r;
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, with that axis removed.</summary>
    public static Tensor Select(this Tensor x, int axis, int index)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank, "Select");
        int i = index < 0 ? index + x.Shape[ax] : index;
        if (i < 0 || i >= x.Shape[ax])
            throw new ArgumentOutOfRangeException(nameof(index), $"Select: index {index} is out of range for axis {ax} of size {x.Shape[ax]} in {x.ShapeString}");
        return x.Slice(ax, i, i + 1).Squeeze(ax);
    }

    /// <summary>
    /// A zero tensor of <paramref name="shape"/> with <paramref name="src"/> written at the slice (axis, start, step):
    /// the backward of <see cref="Slice"/>, itself differentiable.
    /// </summary>
    internal static Tensor SliceScatter(Tensor src, int[] shape, int axis, int start, int step)
    {
        var r = Tensor.Zeros(shape, src.DType);
        var strides = r.StridesArray.ToArray();
        int offset = start * strides[axis];
        strides[axis] *= step;
        var view = new Tensor(r.Storage, src.ShapeArray, strides, offset);
        using (GradMode.NoGrad()) view.CopyFrom(src);
        if (Autograd.ShouldRecord(src))
            Autograd.Record(r, "slice_scatter", [src], g => [g.Slice(axis, start, start + (src.Shape[axis] - 1) * step + 1, step)]);
        return r;
    }

    /// <summary>Broadcasts size-1 (or missing leading) dimensions to <paramref name="shape"/> without copying.</summary>
    public static Tensor Expand(this Tensor x, params int[] shape)
    {
        if (shape.Length < x.Rank)
            throw new ArgumentException($"Expand: target {ShapeUtil.Format(shape)} has fewer dimensions than {x.ShapeString}");
        int lead = shape.Length - x.Rank;
        var strides = new int[shape.Length];
        var target = shape.ToArray();
        for (int i = 0; i < shape.Length; i++)
        {
            if (i < lead)
            {
                if (target[i] < 0) throw new ArgumentException($"Expand: -1 is not allowed for new leading dimension {i}");
                strides[i] = 0;
                continue;
            }
            int d = x.Shape[i - lead];
            if (target[i] == -1) target[i] = d;
            if (d == target[i]) strides[i] = x.Strides[i - lead];
            else if (d == 1) strides[i] = 0;
            else throw new ArgumentException($"Expand: cannot expand {x.ShapeString} to {ShapeUtil.Format(shape)} (dimension {i}: {d} vs {target[i]})");
        }
        if (ShapeUtil.SameShape(target, x.Shape)) return x;
        var r = new Tensor(x.Storage, target, strides, x.Offset);
        if (Autograd.ShouldRecord(x))
        {
            var inShape = x.ShapeArray;
            Autograd.Record(r, "expand", [x], g => [g.SumToShape(inShape)]);
        }
        return r;
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="axis"/>.</summary>
    public static Tensor Unsqueeze(this Tensor x, int axis)
    {
        int ax = ShapeUtil.NormalizeAxis(axis, x.Rank + 1, "Unsqueeze");
        var shape = x.ShapeArray.ToList();
        shape.Insert(ax, 1);
        return x.Reshape(shape.ToArray());
    }

    /// <summary>Removes size-1 dimensions: the given one, or all when <paramref name="axis"/> is null.</summary>
    public static Tensor Squeeze(this Tensor x, int? axis = null)
    {
        var shape = x.ShapeArray.ToList();
        if (axis is int a)
        {
            int ax = ShapeUtil.NormalizeAxis(a, x.Rank, "Squeeze");
            if (shape[ax] != 1) return x;
            shape.RemoveAt(ax);
        }
        else shape.RemoveAll(d => d == 1);
        return x.Reshape(shape.ToArray());
    }

    private static int[] InferShape(int[] shape, int numel, string from)
    {
        var r = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: more than one -1 in {ShapeUtil.Format(shape)}");
                infer = i;
            }
            else if (r[i] < 0) throw new ArgumentException($"Reshape: invalid size {r[i]} in {ShapeUtil.Format(shape)}");
            else known *= r[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || numel % known != 0)
                throw new ArgumentException($"Reshape: cannot reshape {from} ({numel} elements) to {ShapeUtil.Format(shape)}");
            r[infer] = (int)(numel / known);
        }
        else if (known != numel)
            throw new ArgumentException($"Reshape: cannot reshape {from} ({numel} elements) to {ShapeUtil.Format(shape)}");
        return r;
    }
}
