// Element-wise unary kernels (exp, log, activations, clamps) as struct operators run over dense spans.
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Kernels;

/// <summary>A unary element-wise operator over dense spans; instance fields carry parameters (slope, bounds).</summary>
internal interface IUnaryOp
{
    void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal readonly struct NegOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, d); }
internal readonly struct ExpOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, d); }
internal readonly struct LogOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, d); }
internal readonly struct SqrtOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, d); }
internal readonly struct AbsOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, d); }
internal readonly struct TanhOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tanh(x, d); }
internal readonly struct SigmoidOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, d); }
internal readonly struct ReluOp : IUnaryOp { public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, d); }

internal readonly struct SignOp : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : T.Zero;
    }
}

internal readonly struct PowScalarOp(double p) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p == 2) TensorPrimitives.Multiply(x, x, d);
        else TensorPrimitives.Pow(x, T.CreateChecked(p), d);
    }
}

internal readonly struct ClampOp(double lo, double hi) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T l = T.CreateChecked(lo), h = T.CreateChecked(hi);
        for (int i = 0; i < d.Length; i++) d[i] = x[i] < l ? l : x[i] > h ? h : x[i];
    }
}

internal readonly struct LeakyReluOp(double slope) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = T.CreateChecked(slope);
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? x[i] : x[i] * s;
    }
}

/// <summary>softplus(x) = log(1 + exp(βx))/β, and x itself where βx exceeds the threshold (as PyTorch).</summary>
internal readonly struct SoftplusOp(double beta, double threshold) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++)
        {
            double v = double.CreateChecked(x[i]) * beta;
            d[i] = v > threshold ? x[i] : T.CreateChecked((Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)))) / beta);
        }
    }
}

/// <summary>GELU: exact x·Φ(x), or the tanh approximation.</summary>
internal readonly struct GeluOp(bool tanhApprox) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++)
        {
            double v = double.CreateChecked(x[i]);
            d[i] = T.CreateChecked(tanhApprox ? GeluTanh(v) : v * SpecialFunctions.NormalCdf(v));
        }
    }

    internal static double GeluTanh(double v) => 0.5 * v * (1 + Math.Tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
}

/// <summary>Derivative of GELU with respect to its input.</summary>
internal readonly struct GeluGradOp(bool tanhApprox) : IUnaryOp
{
    public void Apply<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++)
        {
            double v = double.CreateChecked(x[i]);
            double g;
            if (tanhApprox)
            {
                const double k = 0.7978845608028654;
                double u = k * (v + 0.044715 * v * v * v), t = Math.Tanh(u);
                g = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
            }
            else g = SpecialFunctions.NormalCdf(v) + v * SpecialFunctions.NormalPdf(v);
            d[i] = T.CreateChecked(g);
        }
    }
}

/// <summary>Runs a unary operator over a tensor into a new dense tensor.</summary>
internal static class UnaryKernel
{
    public static Tensor Run<TOp>(Tensor x, TOp op, string name) where TOp : struct, IUnaryOp
    {
        FloatCheck.Require(name, x);
        var src = x.IsContiguous ? x : x.Detach().Contiguous();
        var r = Tensor.Empty(x.ShapeArray, x.DType);
        if (r.Numel == 0) return r;
        if (x.DType == DType.Float32) op.Apply<float>(src.Span<float>(), r.Span<float>());
        else op.Apply<double>(src.Span<double>(), r.Span<double>());
        return r;
    }
}
