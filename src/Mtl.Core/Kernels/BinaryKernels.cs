// Element-wise binary kernels with NumPy broadcasting, vectorised through TensorPrimitives on each contiguous row.
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Kernels;

/// <summary>A binary element-wise operator over spans, scalars, or a mix (the broadcasting loop picks the form).</summary>
internal interface IBinaryOp
{
    static abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal readonly struct AddOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(b, a, d);
}

internal readonly struct SubOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, d);
}

internal readonly struct MulOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(b, a, d);
}

internal readonly struct DivOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
}

internal readonly struct PowOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b);
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Pow(a, b, d);
}

internal readonly struct MaxOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b);
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(b, a, d);
}

internal readonly struct MinOp : IBinaryOp
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b);
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(a, b, d);
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(a, b, d);
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(b, a, d);
}

/// <summary>Comparison producing 1 where the relation holds and 0 elsewhere.</summary>
internal readonly struct CompareOp<TRel> : IBinaryOp where TRel : IRelation
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => TRel.Holds(a, b) ? T.One : T.Zero;
    public static void Apply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TRel.Holds(a[i], b[i]) ? T.One : T.Zero;
    }
    public static void Apply<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TRel.Holds(a[i], b) ? T.One : T.Zero;
    }
    public static void Apply<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TRel.Holds(a, b[i]) ? T.One : T.Zero;
    }
}

internal interface IRelation { static abstract bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>; }
internal readonly struct GtRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a > b; }
internal readonly struct GeRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a >= b; }
internal readonly struct LtRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a < b; }
internal readonly struct LeRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a <= b; }
internal readonly struct EqRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a == b; }
internal readonly struct NeRel : IRelation { public static bool Holds<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a != b; }

/// <summary>A binary operator with a constant right operand, run as a unary op (x + s, x · s).</summary>
internal readonly struct ScalarRightOp<TOp>(double s) : IUnaryOp where TOp : IBinaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TOp.Apply(x, T.CreateChecked(s), d);
}

/// <summary>Runs a binary operator over two tensors with broadcasting into a new dense tensor.</summary>
internal static class BinaryKernel
{
    public static Tensor Run<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp
    {
        FloatCheck.Require(op, a, b);
        var shape = ShapeUtil.SameShape(a.Shape, b.Shape) ? a.ShapeArray : ShapeUtil.Broadcast(a.Shape, b.Shape, op);
        var r = Tensor.Empty(shape, a.DType);
        if (r.Numel == 0) return r;
        if (a.DType == DType.Float32) Run<TOp, float>(a, b, r);
        else Run<TOp, double>(a, b, r);
        return r;
    }

    private static void Run<TOp, T>(Tensor a, Tensor b, Tensor r) where TOp : IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = r.Span<T>();
        var aa = a.Array<T>();
        var ba = b.Array<T>();
        if (a.IsContiguous && b.IsContiguous)
        {
            if (a.Numel == r.Numel && b.Numel == r.Numel) { TOp.Apply<T>(aa.AsSpan(a.Offset, a.Numel), ba.AsSpan(b.Offset, b.Numel), dst); return; }
            if (b.Numel == 1 && a.Numel == r.Numel) { TOp.Apply<T>(aa.AsSpan(a.Offset, a.Numel), ba[b.Offset], dst); return; }
            if (a.Numel == 1 && b.Numel == r.Numel) { TOp.Apply<T>(aa[a.Offset], ba.AsSpan(b.Offset, b.Numel), dst); return; }
        }
        var sa = BroadcastStrides(a, r.ShapeArray);
        var sb = BroadcastStrides(b, r.ShapeArray);
        var rows = new StridedRows(r.ShapeArray, sa, a.Offset, sb, b.Offset, r.StridesArray, 0);
        int n = rows.Inner, ia = rows.StrideA, ib = rows.StrideB;
        while (rows.MoveNext())
        {
            var d = dst.Slice(rows.OffC, n);
            if (ia == 1 && ib == 1) TOp.Apply<T>(aa.AsSpan(rows.OffA, n), ba.AsSpan(rows.OffB, n), d);
            else if (ia == 1 && ib == 0) TOp.Apply<T>(aa.AsSpan(rows.OffA, n), ba[rows.OffB], d);
            else if (ia == 0 && ib == 1) TOp.Apply<T>(aa[rows.OffA], ba.AsSpan(rows.OffB, n), d);
            else
            {
                int oa = rows.OffA, ob = rows.OffB;
                for (int i = 0; i < n; i++, oa += ia, ob += ib) d[i] = TOp.Apply(aa[oa], ba[ob]);
            }
        }
    }

    /// <summary>Strides of <paramref name="t"/> aligned to the broadcast <paramref name="shape"/> (0 on broadcast dims).</summary>
    public static int[] BroadcastStrides(Tensor t, int[] shape)
    {
        var s = new int[shape.Length];
        int lead = shape.Length - t.Rank;
        for (int i = 0; i < t.Rank; i++)
            s[lead + i] = t.Shape[i] == 1 && shape[lead + i] != 1 ? 0 : t.Strides[i];
        return s;
    }
}

/// <summary>Dtype checks with messages naming the op.</summary>
internal static class FloatCheck
{
    public static void Require(string op, Tensor a)
    {
        if (!a.DType.IsFloating()) throw new ArgumentException($"{op}: expects a float tensor, got {a.DType} {a.ShapeString}");
    }

    public static void Require(string op, Tensor a, Tensor b)
    {
        Require(op, a);
        Require(op, b);
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtype mismatch {a.DType} {a.ShapeString} vs {b.DType} {b.ShapeString}");
    }
}
