// Separable resampling of one grayscale image: area (box) averaging, bilinear (half-pixel centres) or nearest.
namespace Mtl.Data;

/// <summary>How <see cref="ImageResize"/> resamples.</summary>
public enum ResizeMode
{
    /// <summary>
    /// Area (box) averaging: each output pixel is the mean of the source area it covers, partial pixels weighted by
    /// overlap (OpenCV's INTER_AREA, PyTorch's adaptive average pooling for integer ratios). No aliasing when shrinking.
    /// </summary>
    Area,
    /// <summary>Bilinear with half-pixel centres (align_corners = false) and edge clamping, no antialiasing.</summary>
    Bilinear,
    /// <summary>Nearest neighbour at the output pixel centre: source = ⌊(o + ½)·in/out⌋ (PIL's NEAREST).</summary>
    Nearest,
}

/// <summary>
/// Resamples row-major grayscale images (H × W floats) from one fixed size to another; the sampling weights are computed
/// once per resizer, so one instance can resize many images (and from several threads at once).
/// </summary>
public sealed class ImageResize
{
    private readonly (int Index, float Weight)[][] _wx, _wy;

    /// <summary>A resizer from <paramref name="srcH"/> × <paramref name="srcW"/> to <paramref name="dstH"/> × <paramref name="dstW"/>.</summary>
    public ImageResize(int srcH, int srcW, int dstH, int dstW, ResizeMode mode)
    {
        if (srcH <= 0 || srcW <= 0 || dstH <= 0 || dstW <= 0)
            throw new ArgumentException($"ImageResize: sizes must be positive, got {srcH}×{srcW} → {dstH}×{dstW}");
        (SrcH, SrcW, DstH, DstW, Mode) = (srcH, srcW, dstH, dstW, mode);
        _wx = Weights(srcW, dstW, mode);
        _wy = Weights(srcH, dstH, mode);
    }

    public int SrcH { get; }
    public int SrcW { get; }
    public int DstH { get; }
    public int DstW { get; }
    public ResizeMode Mode { get; }

    /// <summary>Resizes one image <paramref name="src"/> (SrcH × SrcW) into <paramref name="dst"/> (DstH × DstW).</summary>
    public void Apply(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (src.Length < SrcH * SrcW || dst.Length < DstH * DstW)
            throw new ArgumentException($"ImageResize: buffers of {src.Length} and {dst.Length} values are too small for {SrcH}×{SrcW} → {DstH}×{DstW}");
        int n = SrcH * DstW;
        Span<float> tmp = n <= 4096 ? stackalloc float[n] : new float[n];
        // Horizontal pass: (SrcH, SrcW) → (SrcH, DstW).
        for (int y = 0; y < SrcH; y++)
        {
            var row = src.Slice(y * SrcW, SrcW);
            for (int o = 0; o < DstW; o++)
            {
                float acc = 0;
                foreach (var (i, w) in _wx[o]) acc += w * row[i];
                tmp[y * DstW + o] = acc;
            }
        }
        // Vertical pass: (SrcH, DstW) → (DstH, DstW).
        for (int o = 0; o < DstH; o++)
        {
            var outRow = dst.Slice(o * DstW, DstW);
            outRow.Clear();
            foreach (var (i, w) in _wy[o])
                for (int x = 0; x < DstW; x++) outRow[x] += w * tmp[i * DstW + x];
        }
    }

    /// <summary>Resizes one image (a convenience that builds a resizer each call).</summary>
    public static void Resize(ReadOnlySpan<float> src, int srcH, int srcW, Span<float> dst, int dstH, int dstW, ResizeMode mode) =>
        new ImageResize(srcH, srcW, dstH, dstW, mode).Apply(src, dst);

    /// <summary>For each output coordinate, the source coordinates and weights (summing to 1) that produce it.</summary>
    internal static (int Index, float Weight)[][] Weights(int inSize, int outSize, ResizeMode mode)
    {
        var r = new (int, float)[outSize][];
        double scale = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            switch (mode)
            {
                case ResizeMode.Area:
                {
                    double lo = o * scale, hi = (o + 1) * scale;
                    var list = new List<(int, float)>();
                    for (int i = (int)Math.Floor(lo); i < Math.Min(inSize, (int)Math.Ceiling(hi)); i++)
                    {
                        double overlap = Math.Min(hi, i + 1) - Math.Max(lo, i);
                        if (overlap > 1e-12) list.Add((i, (float)(overlap / scale)));
                    }
                    r[o] = list.ToArray();
                    break;
                }
                case ResizeMode.Bilinear:
                {
                    double s = Math.Clamp((o + 0.5) * scale - 0.5, 0, inSize - 1);
                    int i0 = (int)Math.Floor(s), i1 = Math.Min(i0 + 1, inSize - 1);
                    float w1 = (float)(s - i0);
                    r[o] = i1 == i0 || w1 == 0 ? [(i0, 1f)] : [(i0, 1 - w1), (i1, w1)];
                    break;
                }
                case ResizeMode.Nearest:
                    r[o] = [(Math.Min((int)Math.Floor((o + 0.5) * scale), inSize - 1), 1f)];
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), mode, "ImageResize: unknown mode");
            }
        }
        return r;
    }
}
