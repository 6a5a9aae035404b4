// Differentiable inverted dropout with an explicit generator: kept elements are scaled by 1/(1−p), the mask is saved.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Dropout (PyTorch semantics, inverted scaling).</summary>
public static class DropoutOps
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1−p), so the expectation is
    /// unchanged. Returns x itself when not <paramref name="training"/> or p = 0, and zeros when p = 1 (no draws either
    /// way). The mask comes from <paramref name="generator"/> in row-major order: the same seed gives the same mask.
    /// Backward multiplies the gradient by the same scaled mask.
    /// </summary>
    public static Tensor Dropout(this Tensor x, double p, bool training, Generator generator)
    {
        const string op = "dropout";
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: probability p must be in [0, 1], got {p} (input {x.ShapeString})");
        FloatCheck.Require(op, x);
        if (!training || p == 0) return x;
        ArgumentNullException.ThrowIfNull(generator);

        var mask = Tensor.Empty(x.ShapeArray, x.DType); // x's shape: 0 or 1/(1−p)
        if (p == 1) mask.ClearRaw();
        else if (x.DType == DType.Float32) DropoutKernel.FillMask(mask.Span<float>(), p, generator);
        else DropoutKernel.FillMask(mask.Span<double>(), p, generator);
        var r = BinaryKernel.Run<MulOp>(x, mask, op);
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, op, [x], g => [g.Mul(mask)], mask);
    }
}
