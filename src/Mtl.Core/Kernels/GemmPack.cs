// Packing of A blocks into MR-row panels and B blocks into NR-column panels (zero padded), absorbing transposes.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Kernels;

/// <summary>
/// Packed layouts read by the micro-kernels. A panel t holds rows [t·MR, t·MR + MR) as dst[t·kc·MR + p·MR + i]; a B panel
/// t holds columns [t·NR, t·NR + NR) as dst[t·kc·NR + p·NR + j]. Rows or columns past the block are zero. Fast paths use
/// 8×8 AVX transposes; they may write up to 8 floats past a panel, which the next panel or the scratch slack absorbs.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>Packs A(i, p) = a[i·aRs + p·aKs] for i &lt; rows, p &lt; kc into MR-row panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A<K>(int rows, int kc, float* a, nint aRs, nint aKs, float* dst) where K : struct, IGemmKernel
    {
        int mr = K.MR;
        if (aRs == 1 && mr <= 8 && Vector256.IsHardwareAccelerated)
        {
            TransposedBlock(mr, rows, kc, a, aKs, dst);
            return;
        }
        for (int i0 = 0; i0 < rows; i0 += mr, dst += kc * mr, a += mr * aRs)
        {
            int h = Math.Min(mr, rows - i0);
            if (h == mr && aKs == 1 && mr <= 8 && Avx.IsSupported)
                RowsTransposed(mr, kc, a, aRs, dst);
            else if (h == mr && aRs == 1)
                for (int p = 0; p < kc; p++) Copy(a + p * aKs, dst + p * mr, mr);
            else
                Generic(h, mr, mr, kc, a, aRs, aKs, dst);
        }
    }

    /// <summary>
    /// A stored transposed (A(i, p) = a[i + p·aKs]): MR-float pieces of each stored row go to the panels. Panels are
    /// done eight at a time for 32 rows p at a time, so only 8 panel lines are being written (many more write streams
    /// fight over a few L1 sets when the panel stride is large) and only 32 pages are read (one per p when aKs is
    /// large). Full pieces are copied 8 floats at a time; the 8 − MR surplus lands in the next p slot of the same
    /// panel and is overwritten there (the last p is copied exactly).
    /// </summary>
    private static void TransposedBlock(int mr, int rows, int kc, float* a, nint aKs, float* dst)
    {
        const int PanelGroup = 8, RowGroup = 32;
        int panels = (rows + mr - 1) / mr;
        nint panelStride = (nint)kc * mr;
        for (int p0 = 0; p0 < kc; p0 += RowGroup)
        {
            int p1 = Math.Min(kc, p0 + RowGroup);
            for (int t0 = 0; t0 < panels; t0 += PanelGroup)
            {
                int t1 = Math.Min(panels, t0 + PanelGroup);
                for (int p = p0; p < p1; p++)
                {
                    float* src = a + p * aKs + t0 * mr;
                    float* d = dst + t0 * panelStride + p * mr;
                    bool notLast = p + 1 < kc || mr == 8;
                    for (int t = t0; t < t1; t++, src += mr, d += panelStride)
                    {
                        int left = rows - t * mr;
                        if (left >= 8 && notLast)
                            Vector256.Load(src).Store(d);
                        else
                        {
                            int h = Math.Min(mr, left);
                            int i = 0;
                            for (; i < h; i++) d[i] = src[i];
                            for (; i < mr; i++) d[i] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs B(p, j) = b[p·bKs + j·bJs] for p &lt; kc, j &lt; cols into NR-column panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B<K>(int cols, int kc, float* b, nint bKs, nint bJs, float* dst) where K : struct, IGemmKernel
    {
        int nr = K.NR;
        for (int j0 = 0; j0 < cols; j0 += nr, dst += kc * nr, b += nr * bJs)
        {
            int w = Math.Min(nr, cols - j0);
            if (bJs == 1 && w == nr)
            {
                for (int p = 0; p < kc; p++) Copy(b + p * bKs, dst + p * nr, nr);
            }
            else if (bJs == 1 && Vector256.IsHardwareAccelerated && nr % 8 == 0)
            {
                // ragged panel: clear the row with whole vectors, then copy the w valid floats over it
                for (int p = 0; p < kc; p++)
                {
                    float* d = dst + p * nr;
                    for (int j = 0; j < nr; j += 8) Vector256<float>.Zero.Store(d + j);
                    Copy(b + p * bKs, d, w);
                }
            }
            else if (bJs == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    Copy(b + p * bKs, dst + p * nr, w);
                    for (int j = w; j < nr; j++) dst[p * nr + j] = 0f;
                }
            }
            else if (bKs == 1 && Avx.IsSupported)
            {
                int j = 0;
                for (; j + 8 <= w; j += 8) ColumnsTransposed(nr, kc, b + j * bJs, bJs, dst + j);
                if (j < nr) Generic(w - j, nr - j, nr, kc, b + j * bJs, bJs, bKs, dst + j);
            }
            else
            {
                // Generic writes a zero-padded panel of width nr: treat columns as the "rows" of a transposed block.
                Generic(w, nr, nr, kc, b, bJs, bKs, dst);
            }
        }
    }

    /// <summary>dst[p·stride + i] = src[i·rs + p·ks] for i &lt; h, and zero for h ≤ i &lt; fill; p &lt; kc.</summary>
    private static void Generic(int h, int fill, int stride, int kc, float* src, nint rs, nint ks, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* d = dst + p * stride;
            float* s = src + p * ks;
            int i = 0;
            for (; i < h; i++) d[i] = s[i * rs];
            for (; i < fill; i++) d[i] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// mr (≤ 8) rows of length kc, row stride rs, into dst[p·mr + i]; 8 columns at a time through an 8×8 transpose whose
    /// surplus lanes are overwritten by the next store (the last one lands in the following panel or the slack).
    /// </summary>
    private static void RowsTransposed(int mr, int kc, float* a, nint rs, float* dst)
    {
        float* r0 = a, r1 = a + rs, r2 = a + 2 * rs, r3 = a + 3 * rs;
        float* r4 = mr > 4 ? a + 4 * rs : a, r5 = mr > 5 ? a + 5 * rs : a;
        float* r6 = mr > 6 ? a + 6 * rs : a, r7 = mr > 7 ? a + 7 * rs : a;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Transpose8(Vector256.Load(r0 + p), Vector256.Load(r1 + p), Vector256.Load(r2 + p), Vector256.Load(r3 + p),
                Vector256.Load(r4 + p), Vector256.Load(r5 + p), Vector256.Load(r6 + p), Vector256.Load(r7 + p),
                out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            float* d = dst + p * mr;
            o0.Store(d); o1.Store(d + mr); o2.Store(d + 2 * mr); o3.Store(d + 3 * mr);
            o4.Store(d + 4 * mr); o5.Store(d + 5 * mr); o6.Store(d + 6 * mr); o7.Store(d + 7 * mr);
        }
        for (; p < kc; p++)
        {
            float* d = dst + p * mr;
            d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]; d[3] = r3[p];
            if (mr > 4) d[4] = r4[p];
            if (mr > 5) d[5] = r5[p];
            if (mr > 6) d[6] = r6[p];
            if (mr > 7) d[7] = r7[p];
        }
    }

    /// <summary>8 columns j (row stride js between them, contiguous in p) into dst[p·stride + j] for p &lt; kc.</summary>
    private static void ColumnsTransposed(int stride, int kc, float* b, nint js, float* dst)
    {
        float* r0 = b, r1 = b + js, r2 = b + 2 * js, r3 = b + 3 * js;
        float* r4 = b + 4 * js, r5 = b + 5 * js, r6 = b + 6 * js, r7 = b + 7 * js;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Transpose8(Vector256.Load(r0 + p), Vector256.Load(r1 + p), Vector256.Load(r2 + p), Vector256.Load(r3 + p),
                Vector256.Load(r4 + p), Vector256.Load(r5 + p), Vector256.Load(r6 + p), Vector256.Load(r7 + p),
                out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            float* d = dst + p * stride;
            o0.Store(d); o1.Store(d + stride); o2.Store(d + 2 * stride); o3.Store(d + 3 * stride);
            o4.Store(d + 4 * stride); o5.Store(d + 5 * stride); o6.Store(d + 6 * stride); o7.Store(d + 7 * stride);
        }
        for (; p < kc; p++)
        {
            float* d = dst + p * stride;
            d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]; d[3] = r3[p];
            d[4] = r4[p]; d[5] = r5[p]; d[6] = r6[p]; d[7] = r7[p];
        }
    }

    /// <summary>Transposes the 8×8 block whose rows are x0..x7 into columns o0..o7 (AVX shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3,
        Vector256<float> x4, Vector256<float> x5, Vector256<float> x6, Vector256<float> x7,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        Vector256<float> t0 = Avx.UnpackLow(x0, x1), t1 = Avx.UnpackHigh(x0, x1);
        Vector256<float> t2 = Avx.UnpackLow(x2, x3), t3 = Avx.UnpackHigh(x2, x3);
        Vector256<float> t4 = Avx.UnpackLow(x4, x5), t5 = Avx.UnpackHigh(x4, x5);
        Vector256<float> t6 = Avx.UnpackLow(x6, x7), t7 = Avx.UnpackHigh(x6, x7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(u0, u4, 0x20); o1 = Avx.Permute2x128(u1, u5, 0x20);
        o2 = Avx.Permute2x128(u2, u6, 0x20); o3 = Avx.Permute2x128(u3, u7, 0x20);
        o4 = Avx.Permute2x128(u0, u4, 0x31); o5 = Avx.Permute2x128(u1, u5, 0x31);
        o6 = Avx.Permute2x128(u2, u6, 0x31); o7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
