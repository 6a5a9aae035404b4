// The Adam/AdamW update (bias-corrected moments, AMSGrad, L2 or decoupled decay) over spans, plus its naive reference.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.Optim.Updates.UpdateMath;

namespace Mtl.NN.Optim.Updates;

/// <summary>
/// Hyper-parameters of one Adam step <see cref="Step"/> (1-based, after incrementing). With <see cref="Decoupled"/>
/// the weight decay is AdamW's p *= 1 − lr·wd; otherwise it is added to the gradient (L2).
/// </summary>
internal readonly record struct AdamHyper(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Decoupled, bool Amsgrad, bool Maximize, long Step)
{
    /// <summary>lr / (1 − β1^t), as torch.optim (1.13) computes it in double precision.</summary>
    public double StepSize => Lr / (1 - Math.Pow(Beta1, Step));

    /// <summary>√(1 − β2^t).</summary>
    public double BiasCorrection2Sqrt => Math.Sqrt(1 - Math.Pow(Beta2, Step));
}

/// <summary>
/// torch.optim.Adam / AdamW, element-wise: (AdamW: p *= 1 − lr·wd); d = ±g (+ wd·p for Adam);
/// m = β1·m + (1 − β1)·d; v = β2·v + (1 − β2)·d²; (AMSGrad: vmax = max(vmax, v), used instead of v);
/// p -= lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps). <c>vmax</c> is unused (may be empty) without AMSGrad.
/// </summary>
internal static class AdamUpdate
{
    /// <summary>The vectorised update.</summary>
    public static void Apply<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, Span<T> vmax, in AdamHyper h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T beta1 = Of<T>(h.Beta1), beta2 = Of<T>(h.Beta2), oneMinusBeta1 = Of<T>(1 - h.Beta1), oneMinusBeta2 = Of<T>(1 - h.Beta2);
        T bc2Sqrt = Of<T>(h.BiasCorrection2Sqrt), eps = Of<T>(h.Eps), negStepSize = Of<T>(-h.StepSize);
        T decay = Of<T>(1 - h.Lr * h.WeightDecay);
        double l2 = h.Decoupled ? 0 : h.WeightDecay;
        Span<T> s0 = stackalloc T[Chunk];
        Span<T> s1 = stackalloc T[Chunk];
        for (int i = 0; i < param.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, param.Length - i);
            var p = param.Slice(i, n);
            var mi = m.Slice(i, n);
            var vi = v.Slice(i, n);
            var t = s1[..n];
            if (h.Decoupled && h.WeightDecay != 0) TensorPrimitives.Multiply(p, decay, p);
            var d = EffectiveGrad(p, grad.Slice(i, n), l2, h.Maximize, s0[..n]);
            TensorPrimitives.Multiply(mi, beta1, mi);
            TensorPrimitives.MultiplyAdd(d, oneMinusBeta1, mi, mi);
            TensorPrimitives.Multiply(d, d, t);
            TensorPrimitives.Multiply(vi, beta2, vi);
            TensorPrimitives.MultiplyAdd(t, oneMinusBeta2, vi, vi);
            ReadOnlySpan<T> second = vi;
            if (h.Amsgrad)
            {
                var mx = vmax.Slice(i, n);
                TensorPrimitives.Max(mx, vi, mx);
                second = mx;
            }
            TensorPrimitives.Sqrt(second, t);
            TensorPrimitives.Divide(t, bc2Sqrt, t);
            TensorPrimitives.Add(t, eps, t);
            TensorPrimitives.Divide(mi, t, t);
            TensorPrimitives.MultiplyAdd(t, negStepSize, p, p);
        }
    }

    /// <summary>The naive reference: one element at a time, PyTorch's formula as written.</summary>
    public static void Reference<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, Span<T> vmax, in AdamHyper h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < param.Length; i++)
        {
            if (h.Decoupled) param[i] *= Of<T>(1 - h.Lr * h.WeightDecay);
            var d = EffectiveGrad(param[i], grad[i], h.Decoupled ? 0 : h.WeightDecay, h.Maximize);
            m[i] = m[i] * Of<T>(h.Beta1) + d * Of<T>(1 - h.Beta1);
            v[i] = v[i] * Of<T>(h.Beta2) + d * d * Of<T>(1 - h.Beta2);
            var second = v[i];
            if (h.Amsgrad) second = vmax[i] = T.Max(vmax[i], v[i]);
            var denom = T.Sqrt(second) / Of<T>(h.BiasCorrection2Sqrt) + Of<T>(h.Eps);
            param[i] += m[i] / denom * Of<T>(-h.StepSize);
        }
    }
}
