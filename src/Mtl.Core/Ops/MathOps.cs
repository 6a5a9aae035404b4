// Differentiable element-wise math: neg, exp, log, sqrt, pow by scalar, abs, sign, clamp.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Element-wise unary math functions.</summary>
public static class MathOps
{
    /// <summary>−x.</summary>
    public static Tensor Neg(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new NegOp(), "neg");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "neg", [x], g => [g.Neg()]) : r;
    }

    /// <summary>eˣ.</summary>
    public static Tensor Exp(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new ExpOp(), "exp");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "exp", [x], g => [g.Mul(r)], r) : r;
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new LogOp(), "log");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "log", [x], g => [g.Div(x)], x) : r;
    }

    /// <summary>√x.</summary>
    public static Tensor Sqrt(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new SqrtOp(), "sqrt");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "sqrt", [x], g => [g.Div(r.MulScalar(2))], r) : r;
    }

    /// <summary>xᵖ for a constant exponent.</summary>
    public static Tensor Pow(this Tensor x, double p)
    {
        var r = UnaryKernel.Run(x, new PowScalarOp(p), "pow");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "pow_scalar", [x], g => [p == 2 ? g.Mul(x).MulScalar(2) : g.Mul(x.Pow(p - 1)).MulScalar(p)], x);
    }

    /// <summary>x².</summary>
    public static Tensor Square(this Tensor x) => x.Pow(2);

    /// <summary>|x|; the gradient at 0 is 0.</summary>
    public static Tensor Abs(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new AbsOp(), "abs");
        return Autograd.ShouldRecord(x) ? Autograd.Record(r, "abs", [x], g => [g.Mul(x.Sign())], x) : r;
    }

    /// <summary>−1, 0 or 1 by sign (not differentiable; no graph).</summary>
    public static Tensor Sign(this Tensor x) => UnaryKernel.Run(x, new SignOp(), "sign");

    /// <summary>Limits x to [min, max]; the gradient passes where min ≤ x ≤ max.</summary>
    public static Tensor Clamp(this Tensor x, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} is greater than max {max}");
        var r = UnaryKernel.Run(x, new ClampOp(min, max), "clamp");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "clamp", [x], g => [g.Mul(x.GeScalar(min).Mul(x.LeScalar(max)))], x);
    }
}
