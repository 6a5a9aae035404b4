// Differentiable element-wise arithmetic with broadcasting: add, sub, mul, div, pow, maximum/minimum, scalar forms.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Element-wise binary arithmetic (NumPy broadcasting) and its scalar variants.</summary>
public static class ArithmeticOps
{
    /// <summary>a + b.</summary>
    public static Tensor Add(this Tensor a, Tensor b)
    {
        var r = BinaryKernel.Run<AddOp>(a, b, "add");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "add", [a, b], g => [Reduce(g, a), Reduce(g, b)]);
    }

    /// <summary>a − b.</summary>
    public static Tensor Sub(this Tensor a, Tensor b)
    {
        var r = BinaryKernel.Run<SubOp>(a, b, "sub");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "sub", [a, b], g => [Reduce(g, a), b.RequiresGrad ? g.Neg().SumToShape(b.ShapeArray) : null]);
    }

    /// <summary>a · b (element-wise).</summary>
    public static Tensor Mul(this Tensor a, Tensor b)
    {
        var r = BinaryKernel.Run<MulOp>(a, b, "mul");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "mul", [a, b], g =>
        [
            a.RequiresGrad ? g.Mul(b).SumToShape(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a).SumToShape(b.ShapeArray) : null,
        ], a, b);
    }

    /// <summary>a / b (element-wise).</summary>
    public static Tensor Div(this Tensor a, Tensor b)
    {
        var r = BinaryKernel.Run<DivOp>(a, b, "div");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "div", [a, b], g =>
        [
            a.RequiresGrad ? g.Div(b).SumToShape(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a).Div(b.Mul(b)).Neg().SumToShape(b.ShapeArray) : null,
        ], a, b);
    }

    /// <summary>a ^ b (element-wise, both tensors).</summary>
    public static Tensor Pow(this Tensor a, Tensor b)
    {
        var r = BinaryKernel.Run<PowOp>(a, b, "pow");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "pow", [a, b], g =>
        [
            a.RequiresGrad ? g.Mul(b).Mul(a.Pow(b.AddScalar(-1))).SumToShape(a.ShapeArray) : null,
            b.RequiresGrad ? g.Mul(a.Pow(b)).Mul(a.Log()).SumToShape(b.ShapeArray) : null,
        ], a, b);
    }

    /// <summary>Element-wise maximum; at ties the gradient is split evenly.</summary>
    public static Tensor Maximum(this Tensor a, Tensor b) => MinMax<MaxOp>(a, b, "maximum", greater: true);

    /// <summary>Element-wise minimum; at ties the gradient is split evenly.</summary>
    public static Tensor Minimum(this Tensor a, Tensor b) => MinMax<MinOp>(a, b, "minimum", greater: false);

    private static Tensor MinMax<TOp>(Tensor a, Tensor b, string name, bool greater) where TOp : IBinaryOp
    {
        var r = BinaryKernel.Run<TOp>(a, b, name);
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, name, [a, b], g =>
        {
            Tensor wins = greater ? a.Gt(b) : a.Lt(b), ties = a.Eq(b);
            var wa = wins.Add(ties.MulScalar(0.5));
            return
            [
                a.RequiresGrad ? g.Mul(wa).SumToShape(a.ShapeArray) : null,
                b.RequiresGrad ? g.Mul(wa.Neg().AddScalar(1)).SumToShape(b.ShapeArray) : null,
            ];
        }, a, b);
    }

    /// <summary>x + s.</summary>
    public static Tensor AddScalar(this Tensor x, double s)
    {
        var r = UnaryKernel.Run(x, new ScalarRightOp<AddOp>(s), "add");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "add_scalar", [x], g => [g]) : r;
    }

    /// <summary>x · s.</summary>
    public static Tensor MulScalar(this Tensor x, double s)
    {
        var r = UnaryKernel.Run(x, new ScalarRightOp<MulOp>(s), "mul");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "mul_scalar", [x], g => [g.MulScalar(s)]) : r;
    }

    /// <summary>x / s.</summary>
    public static Tensor DivScalar(this Tensor x, double s) => x.MulScalar(1.0 / s);

    /// <summary>s − x.</summary>
    public static Tensor RSubScalar(this Tensor x, double s) => x.Neg().AddScalar(s);

    /// <summary>Sums a broadcast gradient back to an input's shape (null when that input needs no gradient).</summary>
    private static Tensor? Reduce(Tensor g, Tensor input) => input.RequiresGrad ? g.SumToShape(input.ShapeArray) : null;
}
