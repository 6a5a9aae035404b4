// The SGD update (momentum, dampening, Nesterov, weight decay) as a pure function over spans, plus its naive reference.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.Optim.Updates.UpdateMath;

namespace Mtl.NN.Optim.Updates;

/// <summary>Hyper-parameters of one SGD step; <see cref="FirstStep"/> makes the momentum buffer start as the gradient.</summary>
internal readonly record struct SgdHyper(double Lr, double Momentum, double Dampening, bool Nesterov, double WeightDecay, bool Maximize, bool FirstStep);

/// <summary>
/// torch.optim.SGD's update, element-wise: d = ±g + wd·p; buf = d on the first step, else momentum·buf + (1 − dampening)·d;
/// d = d + momentum·buf (Nesterov) or buf; p -= lr·d. The momentum buffer is unused (may be empty) when momentum is 0.
/// </summary>
internal static class SgdUpdate
{
    /// <summary>The vectorised update.</summary>
    public static void Apply<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> buf, in SgdHyper h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s0 = stackalloc T[Chunk];
        Span<T> s1 = stackalloc T[Chunk];
        for (int i = 0; i < param.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, param.Length - i);
            var p = param.Slice(i, n);
            var d = EffectiveGrad(p, grad.Slice(i, n), h.WeightDecay, h.Maximize, s0[..n]);
            if (h.Momentum != 0)
            {
                var b = buf.Slice(i, n);
                if (h.FirstStep) d.CopyTo(b);
                else
                {
                    TensorPrimitives.Multiply(b, Of<T>(h.Momentum), b);
                    TensorPrimitives.MultiplyAdd(d, Of<T>(1 - h.Dampening), b, b);
                }
                if (h.Nesterov)
                {
                    TensorPrimitives.MultiplyAdd(b, Of<T>(h.Momentum), d, s1[..n]);
                    d = s1[..n];
                }
                else d = b;
            }
            TensorPrimitives.MultiplyAdd(d, Of<T>(-h.Lr), p, p);
        }
    }

    /// <summary>The naive reference: one element at a time, PyTorch's formula as written.</summary>
    public static void Reference<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> buf, in SgdHyper h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < param.Length; i++)
        {
            var d = EffectiveGrad(param[i], grad[i], h.WeightDecay, h.Maximize);
            if (h.Momentum != 0)
            {
                buf[i] = h.FirstStep ? d : buf[i] * Of<T>(h.Momentum) + d * Of<T>(1 - h.Dampening);
                d = h.Nesterov ? d + buf[i] * Of<T>(h.Momentum) : buf[i];
            }
            param[i] += d * Of<T>(-h.Lr);
        }
    }
}
