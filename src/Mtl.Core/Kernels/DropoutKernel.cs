// Draws the inverted-dropout mask (0 or 1/(1−p) per element) from an explicit generator, sequentially in row-major order.
using System.Numerics;

namespace Mtl.Kernels;

/// <summary>Fills dropout masks. The draws are sequential, so a seed gives the same mask whatever the thread count.</summary>
internal static class DropoutKernel
{
    /// <summary>
    /// mask[i] = 1/(1−p) when the i-th 32-bit draw u satisfies u ≥ p·2³², else 0 (so P(keep) = 1−p to within 2⁻³²).
    /// Draw i is the low half (even i) or high half (odd i) of the generator's (i/2)-th 64-bit output. Needs 0 ≤ p &lt; 1.
    /// </summary>
    public static void FillMask<T>(Span<T> mask, double p, Generator generator) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong threshold = (ulong)(p * 4294967296.0); // < 2³² because p < 1
        T keep = T.CreateChecked(1.0 / (1.0 - p));
        int i = 0;
        for (; i + 1 < mask.Length; i += 2)
        {
            ulong r = generator.NextUInt64();
            mask[i] = (r & 0xFFFF_FFFFUL) >= threshold ? keep : T.Zero;
            mask[i + 1] = (r >> 32) >= threshold ? keep : T.Zero;
        }
        if (i < mask.Length) mask[i] = (generator.NextUInt64() & 0xFFFF_FFFFUL) >= threshold ? keep : T.Zero;
    }
}
