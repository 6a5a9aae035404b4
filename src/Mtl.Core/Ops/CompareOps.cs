// Comparisons giving 0/1 masks of the operands' dtype, and the differentiable Where selection.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Element-wise comparisons (masks of 1 and 0, no gradient) and <see cref="Where"/>.</summary>
public static class CompareOps
{
    /// <summary>1 where a &gt; b.</summary>
    public static Tensor Gt(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<GtRel>>(a, b, "gt");
    /// <summary>1 where a ≥ b.</summary>
    public static Tensor Ge(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<GeRel>>(a, b, "ge");
    /// <summary>1 where a &lt; b.</summary>
    public static Tensor Lt(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<LtRel>>(a, b, "lt");
    /// <summary>1 where a ≤ b.</summary>
    public static Tensor Le(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<LeRel>>(a, b, "le");
    /// <summary>1 where a = b.</summary>
    public static Tensor Eq(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<EqRel>>(a, b, "eq");
    /// <summary>1 where a ≠ b.</summary>
    public static Tensor Ne(this Tensor a, Tensor b) => BinaryKernel.Run<CompareOp<NeRel>>(a, b, "ne");

    /// <summary>1 where x &gt; s.</summary>
    public static Tensor GtScalar(this Tensor x, double s) => x.Gt(ScalarLike(x, s));
    /// <summary>1 where x ≥ s.</summary>
    public static Tensor GeScalar(this Tensor x, double s) => x.Ge(ScalarLike(x, s));
    /// <summary>1 where x &lt; s.</summary>
    public static Tensor LtScalar(this Tensor x, double s) => x.Lt(ScalarLike(x, s));
    /// <summary>1 where x ≤ s.</summary>
    public static Tensor LeScalar(this Tensor x, double s) => x.Le(ScalarLike(x, s));

    /// <summary>
    /// Picks a where <paramref name="condition"/> is non-zero and b elsewhere (all three broadcast together).
    /// Gradients flow to a and b through the selected positions.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        FloatCheck.Require("where", a, b);
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition.Shape, a.Shape, "where"), b.Shape, "where");
        Tensor mask, r;
        using (GradMode.NoGrad())
        {
            mask = condition.Detach().Ne(ScalarLike(condition, 0)).Expand(shape).Contiguous();
            var av = a.Detach().Expand(shape).Contiguous();
            var bv = b.Detach().Expand(shape).Contiguous();
            r = Tensor.Empty(shape, a.DType);
            if (a.DType == DType.Float32) Select<float>(mask, av, bv, r);
            else Select<double>(mask, av, bv, r);
        }
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "where", [a, b], g =>
        [
            a.RequiresGrad ? g.Mul(mask).SumToShape(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(mask.RSubScalar(1)).SumToShape(b.ShapeArray) : null,
        ]);
    }

    private static void Select<T>(Tensor mask, Tensor a, Tensor b, Tensor r) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> m = mask.Span<T>(), x = a.Span<T>(), y = b.Span<T>();
        var d = r.Span<T>();
        for (int i = 0; i < d.Length; i++) d[i] = m[i] != T.Zero ? x[i] : y[i];
    }

    private static Tensor ScalarLike(Tensor x, double s)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"comparison: expects a float tensor, got {x.DType} {x.ShapeString}");
        return Tensor.Scalar(s, x.DType);
    }
}
