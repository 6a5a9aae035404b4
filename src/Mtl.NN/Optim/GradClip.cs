// Gradient clipping: rescale all gradients to a maximum total norm, or clamp each element to a range.
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.NN.Optim;

/// <summary>
/// In-place gradient clipping with torch.nn.utils.clip_grad_norm_ / clip_grad_value_ semantics. Parameters whose
/// <see cref="Tensor.Grad"/> is null are ignored.
/// </summary>
public static class GradClip
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (total + 1e-6)), where total is the <paramref name="normType"/>-norm
    /// of all gradients together (the norm of the per-tensor norms; <see cref="double.PositiveInfinity"/> gives the
    /// largest absolute element). Returns the total norm before clipping (0 when no parameter has a gradient).
    /// With <paramref name="errorIfNonfinite"/>, a NaN or infinite total norm throws instead of scaling.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentException($"ClipGradNorm: maxNorm must be >= 0, got {maxNorm}", nameof(maxNorm));
        if (!(normType > 0)) throw new ArgumentException($"ClipGradNorm: normType must be > 0 or infinity, got {normType}", nameof(normType));
        var grads = Grads(parameters, "ClipGradNorm");
        if (grads.Count == 0) return 0;
        double total = 0;
        bool inf = double.IsPositiveInfinity(normType);
        foreach (var g in grads)
        {
            double n = g.DType == DType.Float32 ? TensorNorm<float>(g.Span<float>(), normType) : TensorNorm<double>(g.Span<double>(), normType);
            total = inf ? Math.Max(total, n) : double.IsNaN(n) ? double.NaN : total + Math.Pow(n, normType);
        }
        if (!inf) total = Math.Pow(total, 1 / normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException($"ClipGradNorm: the total norm of order {normType} of the gradients is {total}");
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1 || double.IsNaN(coef))
        {
            foreach (var g in grads)
            {
                if (g.DType == DType.Float32) TensorPrimitives.Multiply(g.Span<float>(), (float)coef, g.Span<float>());
                else TensorPrimitives.Multiply(g.Span<double>(), coef, g.Span<double>());
                g.BumpVersion();
            }
        }
        return total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue] in place.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentException($"ClipGradValue: clipValue must be >= 0, got {clipValue}", nameof(clipValue));
        foreach (var g in Grads(parameters, "ClipGradValue"))
        {
            if (g.DType == DType.Float32) Clamp(g.Span<float>(), (float)clipValue);
            else Clamp(g.Span<double>(), clipValue);
            g.BumpVersion();
        }
    }

    /// <summary>The norm of one gradient: max |x| for infinity, else (Σ|x|^p)^(1/p) (Euclidean via TensorPrimitives.Norm).</summary>
    internal static double TensorNorm<T>(ReadOnlySpan<T> x, double p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return 0;
        if (double.IsPositiveInfinity(p)) return double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(x)));
        if (p == 2) return double.CreateTruncating(TensorPrimitives.Norm(x));
        if (p == 1) return double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(x));
        double sum = 0;
        foreach (var v in x) sum += Math.Pow(Math.Abs(double.CreateTruncating(v)), p);
        return Math.Pow(sum, 1 / p);
    }

    private static void Clamp<T>(Span<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Min(x, c, x);
        TensorPrimitives.Max(x, -c, x);
    }

    private static List<Tensor> Grads(IEnumerable<Tensor> parameters, string op)
    {
        var list = new List<Tensor>();
        foreach (var p in parameters)
        {
            if (p?.Grad is not { } g) continue;
            if (!g.DType.IsFloating()) throw new ArgumentException($"{op}: gradient of parameter {p.ShapeString} has dtype {g.DType}");
            if (!g.IsContiguous) throw new ArgumentException($"{op}: gradient of parameter {p.ShapeString} is a non-contiguous view; clipping works in place on dense gradients");
            list.Add(g);
        }
        return list;
    }
}
