// Shape and range checks for class-index targets, and the constant tensors (weights per target, masks) built from them.
using Mtl.Kernels;

namespace Mtl.NN;

/// <summary>
/// Class-index targets of a classification loss, validated against the input layout (N, C, d1, ..., dk) or (C):
/// target shape (N, d1, ..., dk) or () and every entry in [0, C) or equal to ignoreIndex.
/// </summary>
internal sealed class ClassTargets
{
    private ClassTargets(int[] values, int classes, int[] lossShape, int ignoreIndex)
    {
        Values = values;
        Classes = classes;
        LossShape = lossShape;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>Targets in row-major order of the target shape (M entries).</summary>
    public int[] Values { get; }

    /// <summary>Number of classes C.</summary>
    public int Classes { get; }

    /// <summary>Shape of the unreduced loss: the target's shape, (N, d1, ..., dk) or ().</summary>
    public int[] LossShape { get; }

    public int IgnoreIndex { get; }

    /// <summary>Number of targets M = N·d1·…·dk.</summary>
    public int Count => Values.Length;

    /// <summary>Validates an Int32 target against an input of class layout (N, C, d...) or (C).</summary>
    public static ClassTargets Check(string op, Tensor input, Tensor target, int ignoreIndex)
    {
        LossChecks.Float(op, input, "input");
        ArgumentNullException.ThrowIfNull(target);
        if (target.DType != DType.Int32)
            throw new ArgumentException($"{op}: target must be an Int32 tensor of class indices, got {target.DType} {target.ShapeString}");
        if (input.Rank == 0) throw new ArgumentException($"{op}: input must have a class dimension, (C), (N, C) or (N, C, d1, ...), got {input.ShapeString}");
        int[] want = input.Rank == 1 ? [] : [input.Shape[0], .. input.ShapeArray[2..]];
        if (!ShapeUtil.SameShape(target.Shape, want))
            throw new ArgumentException(
                $"{op}: target {target.ShapeString} does not match input {input.ShapeString}: class-index targets need shape {ShapeUtil.Format(want)}");
        int classes = input.Shape[input.Rank == 1 ? 0 : 1];
        var values = target.ToArray<int>();
        for (int i = 0; i < values.Length; i++)
        {
            int v = values[i];
            if (v == ignoreIndex || (uint)v < (uint)classes) continue;
            string valid = classes == 0 ? "no class index is valid" : $"valid range [0, {classes - 1}]";
            throw new ArgumentOutOfRangeException(nameof(target),
                $"{op}: target {v} at position {IndexKernels.Position(i, target.Shape)} of target {target.ShapeString} is out of range for C = {classes} classes ({valid}, or ignoreIndex {ignoreIndex})");
        }
        return new ClassTargets(values, classes, want, ignoreIndex);
    }

    /// <summary>Weight of each target (w[t], or 1 unweighted; 0 where ignored), in double, and their sum.</summary>
    public (double[] PerTarget, double Total) TargetWeights(Tensor? weight)
    {
        double[]? w = weight?.ToDoubleArray();
        var r = new double[Values.Length];
        double total = 0;
        for (int i = 0; i < r.Length; i++)
        {
            int t = Values[i];
            r[i] = t == IgnoreIndex ? 0 : w is null ? 1 : w[t];
            total += r[i];
        }
        return (r, total);
    }

    /// <summary>The targets with ignored entries replaced by class 0, so they can index safely.</summary>
    public int[] SafeValues()
    {
        var r = (int[])Values.Clone();
        for (int i = 0; i < r.Length; i++) if (r[i] == IgnoreIndex) r[i] = 0;
        return r;
    }

    /// <summary>A constant tensor of <paramref name="shape"/> holding <paramref name="values"/> in the given float dtype.</summary>
    public static Tensor Constant(double[] values, int[] shape, DType dtype)
    {
        if (dtype == DType.Float64) return Tensor.From<double>(values, shape);
        var f = new float[values.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)values[i];
        return Tensor.From<float>(f, shape);
    }
}
