// Helpers shared by the vectorised optimiser updates: the chunk size and the effective gradient (sign, L2 decay).
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.NN.Optim.Updates;

/// <summary>
/// The fast updates walk the parameter in chunks of <see cref="Chunk"/> elements, computing temporaries into
/// stack buffers so that a step is vectorised (TensorPrimitives) yet allocation-free and cache-resident.
/// </summary>
internal static class UpdateMath
{
    /// <summary>Elements per chunk (two stack buffers of this many elements per update).</summary>
    public const int Chunk = 512;

    /// <summary>
    /// The gradient the update uses: ±grad (minus when maximising) plus weightDecay·param. Returns
    /// <paramref name="grad"/> itself when it needs no change, else <paramref name="scratch"/> filled with it.
    /// </summary>
    public static ReadOnlySpan<T> EffectiveGrad<T>(ReadOnlySpan<T> param, ReadOnlySpan<T> grad, double weightDecay, bool maximize, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weightDecay == 0 && !maximize) return grad;
        if (maximize) TensorPrimitives.Negate(grad, scratch);
        else grad.CopyTo(scratch);
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(param, T.CreateTruncating(weightDecay), scratch, scratch);
        return scratch;
    }

    /// <summary>The scalar form of the span EffectiveGrad, used by the reference updates.</summary>
    public static T EffectiveGrad<T>(T param, T grad, double weightDecay, bool maximize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = maximize ? -grad : grad;
        return weightDecay != 0 ? d + param * T.CreateTruncating(weightDecay) : d;
    }

    /// <summary>Converts a hyper-parameter to the element type (rounding to nearest for float32).</summary>
    public static T Of<T>(double x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(x);
}
