// The RMSprop update (centred, momentum, weight decay) as a pure function over spans, plus its naive reference.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.Optim.Updates.UpdateMath;

namespace Mtl.NN.Optim.Updates;

/// <summary>Hyper-parameters of one RMSprop step.</summary>
internal readonly record struct RmsPropHyper(double Lr, double Alpha, double Eps, double WeightDecay, double Momentum, bool Centered, bool Maximize);

/// <summary>
/// torch.optim.RMSprop, element-wise: d = ±g + wd·p; s = α·s + (1 − α)·d²; centred: a = α·a + (1 − α)·d and
/// avg = √(s − a²) + eps, else avg = √s + eps; with momentum: buf = μ·buf + d/avg, p -= lr·buf; else p -= lr·d/avg.
/// <c>gradAvg</c> and <c>buf</c> are unused (may be empty) without centring / momentum.
/// </summary>
internal static class RmsPropUpdate
{
    /// <summary>The vectorised update.</summary>
    public static void Apply<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg, Span<T> buf, in RmsPropHyper h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = Of<T>(h.Alpha), oneMinusAlpha = Of<T>(1 - h.Alpha), eps = Of<T>(h.Eps), negLr = Of<T>(-h.Lr), mu = Of<T>(h.Momentum);
        Span<T> s0 = stackalloc T[Chunk];
        Span<T> s1 = stackalloc T[Chunk];
        for (int i = 0; i < param.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, param.Length - i);
            var p = param.Slice(i, n);
            var sq = squareAvg.Slice(i, n);
            var t = s1[..n];
            var d = EffectiveGrad(p, grad.Slice(i, n), h.WeightDecay, h.Maximize, s0[..n]);
            TensorPrimitives.Multiply(d, d, t);
            TensorPrimitives.Multiply(sq, alpha, sq);
            TensorPrimitives.MultiplyAdd(t, oneMinusAlpha, sq, sq);
            if (h.Centered)
            {
                var a = gradAvg.Slice(i, n);
                TensorPrimitives.Multiply(a, alpha, a);
                TensorPrimitives.MultiplyAdd(d, oneMinusAlpha, a, a);
                TensorPrimitives.Multiply(a, a, t);
                TensorPrimitives.Subtract(sq, t, t);
                TensorPrimitives.Sqrt(t, t);
            }
            else TensorPrimitives.Sqrt(sq, t);
            TensorPrimitives.Add(t, eps, t);
            TensorPrimitives.Divide(d, t, t);
            if (h.Momentum > 0)
            {
                var b = buf.Slice(i, n);
                TensorPrimitives.Multiply(b, mu, b);
                TensorPrimitives.Add(b, t, b);
                TensorPrimitives.MultiplyAdd(b, negLr, p, p);
            }
            else TensorPrimitives.MultiplyAdd(t, negLr, p, p);
        }
    }

    /// <summary>The naive reference: one element at a time, PyTorch's formula as written.</summary>
    public static void Reference<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg, Span<T> buf, in RmsPropHyper h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < param.Length; i++)
        {
            var d = EffectiveGrad(param[i], grad[i], h.WeightDecay, h.Maximize);
            squareAvg[i] = squareAvg[i] * Of<T>(h.Alpha) + d * d * Of<T>(1 - h.Alpha);
            T avg;
            if (h.Centered)
            {
                gradAvg[i] = gradAvg[i] * Of<T>(h.Alpha) + d * Of<T>(1 - h.Alpha);
                avg = T.Sqrt(squareAvg[i] - gradAvg[i] * gradAvg[i]);
            }
            else avg = T.Sqrt(squareAvg[i]);
            avg += Of<T>(h.Eps);
            if (h.Momentum > 0)
            {
                buf[i] = buf[i] * Of<T>(h.Momentum) + d / avg;
                param[i] += buf[i] * Of<T>(-h.Lr);
            }
            else param[i] += d / avg * Of<T>(-h.Lr);
        }
    }
}
