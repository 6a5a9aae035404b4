// The portable float32 GEMM micro-kernel: a 4 × 2·Vector<float>.Count tile of separate multiply and add.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mtl.Kernels;

/// <summary>
/// Fallback for CPUs with neither Vector512 nor AVX2+FMA (any Vector&lt;T&gt; width, no fused multiply-add required).
/// 4 rows × 2 vectors; a tile of at most one vector's width reads and computes one vector only.
/// </summary>
internal readonly unsafe struct GemmKernelPortable : IGemmKernel
{
    public static int MR => 4;
    public static int VL => Vector<float>.Count;
    public static int NR => 2 * Vector<float>.Count;

    public static void TileCopy(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, float alpha, float beta, float* aCopy, float* bCopy)
    {
        int nr = NR;
        if (aCopy != null)
            for (int p = 0; p < k; p++)
                for (int i = 0; i < 4; i++) aCopy[p * 4 + i] = a[p * aKs + i];
        if (bCopy != null)
            for (int p = 0; p < k; p++)
                for (int j = 0; j < nr; j++) bCopy[p * nr + j] = b[p * bKs + j];
        Tile(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        int vl = Vector<float>.Count;
        bool two = nr > vl;
        float* a0 = a;
        float* a1 = mr > 1 ? a + aRs : a;
        float* a2 = mr > 2 ? a + 2 * aRs : a;
        float* a3 = mr > 3 ? a + 3 * aRs : a;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;
        nint o = 0;
        if (two)
        {
            for (int p = 0; p < k; p++, o += aKs, b += bKs)
            {
                Vector<float> b0 = Vector.Load(b), b1 = Vector.Load(b + vl);
                Vector<float> x = new(a0[o]);
                c00 += x * b0; c01 += x * b1;
                x = new(a1[o]);
                c10 += x * b0; c11 += x * b1;
                x = new(a2[o]);
                c20 += x * b0; c21 += x * b1;
                x = new(a3[o]);
                c30 += x * b0; c31 += x * b1;
            }
        }
        else
        {
            for (int p = 0; p < k; p++, o += aKs, b += bKs)
            {
                Vector<float> b0 = Vector.Load(b);
                c00 += new Vector<float>(a0[o]) * b0;
                c10 += new Vector<float>(a1[o]) * b0;
                c20 += new Vector<float>(a2[o]) * b0;
                c30 += new Vector<float>(a3[o]) * b0;
            }
        }

        int nrCap = two ? 2 * vl : vl;
        float* t = stackalloc float[4 * 2 * Vector<float>.Count];
        int ts = 2 * vl;
        c00.Store(t); c10.Store(t + ts); c20.Store(t + 2 * ts); c30.Store(t + 3 * ts);
        if (two)
        {
            c01.Store(t + vl); c11.Store(t + ts + vl); c21.Store(t + 2 * ts + vl); c31.Store(t + 3 * ts + vl);
        }
        GemmTileStore.Edge(t, ts, c, ldc, mr, Math.Min(nr, nrCap), alpha, beta, fused: false);
    }
}
