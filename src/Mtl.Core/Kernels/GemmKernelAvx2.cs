// The 6×16 Vector256 float32 GEMM micro-kernel (AVX2 + FMA): 12 accumulators, A broadcast, B two vectors per k.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Kernels;

/// <summary>
/// 6 rows × 16 columns register tile (12 of the 16 ymm registers hold C). A tile of at most 8 columns uses 6 × 8 with
/// even and odd k summed in separate accumulators (so that 12 FMA chains hide the FMA latency) and added at the end.
/// Alone on L1-resident panels it runs at 99 GFLOP/s on the Zen 4 VM (gemm --peak), whose pure-FMA ceiling is
/// 102 GFLOP/s. Keep calls out of the methods that hold the accumulators: a call after the k loop made the JIT
/// spill all twelve inside it (40 GFLOP/s).
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct GemmKernelAvx2 : IGemmKernel
{
    public static int MR => 6;
    public static int VL => 8;
    public static int NR => 16;

    public static void Tile(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        if (nr > 8) Wide<GemmOff, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta, null, null);
        else Narrow(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta);
    }

    public static void TileCopy(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, float alpha, float beta, float* aCopy, float* bCopy)
    {
        if (aCopy == null)
            Wide<GemmOff, GemmOn>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 16, alpha, beta, null, bCopy);
        else if (bCopy == null)
            Wide<GemmOn, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 16, alpha, beta, aCopy, null);
        else
            Wide<GemmOn, GemmOn>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 16, alpha, beta, aCopy, bCopy);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Wide<TCopyA, TCopyB>(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta, float* aCopy, float* bCopy)
        where TCopyA : struct, IGemmSwitch where TCopyB : struct, IGemmSwitch
    {
        float* a0 = a;
        float* a1 = mr > 1 ? a + aRs : a;
        float* a2 = mr > 2 ? a + 2 * aRs : a;
        float* a3 = mr > 3 ? a + 3 * aRs : a;
        float* a4 = mr > 4 ? a + 4 * aRs : a;
        float* a5 = mr > 5 ? a + 5 * aRs : a;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint o = 0;
        for (int p = 0; p < k; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a0[o]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[o]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[o]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[o]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[o]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[o]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            if (TCopyA.On)
            {
                Vector256.Load(a0 + o).Store(aCopy);
                aCopy += 6;
            }
            if (TCopyB.On)
            {
                b0.Store(bCopy);
                b1.Store(bCopy + 8);
                bCopy += 16;
            }
            o += aKs;
            b += bKs;
        }

        if (mr == 6 && nr == 16)
        {
            Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
            bool bz = beta == 0f;
            GemmTileStore.Full(c, c00, va, vb, bz); GemmTileStore.Full(c + 8, c01, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c10, va, vb, bz); GemmTileStore.Full(c + 8, c11, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c20, va, vb, bz); GemmTileStore.Full(c + 8, c21, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c30, va, vb, bz); GemmTileStore.Full(c + 8, c31, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c40, va, vb, bz); GemmTileStore.Full(c + 8, c41, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c50, va, vb, bz); GemmTileStore.Full(c + 8, c51, va, vb, bz);
            return;
        }
        float* t = stackalloc float[6 * 16];
        c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24); c20.Store(t + 32); c21.Store(t + 40);
        c30.Store(t + 48); c31.Store(t + 56); c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
        GemmTileStore.Tile256(t, 16, c, ldc, mr, nr, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        float* a0 = a;
        float* a1 = mr > 1 ? a + aRs : a;
        float* a2 = mr > 2 ? a + 2 * aRs : a;
        float* a3 = mr > 3 ? a + 3 * aRs : a;
        float* a4 = mr > 4 ? a + 4 * aRs : a;
        float* a5 = mr > 5 ? a + 5 * aRs : a;
        // cX0 sums even k, cX1 odd k.
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint o = 0;
        int p = 0;
        for (; p + 1 < k; p += 2)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + bKs);
            nint o1 = o + aKs;
            c00 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[o]), b0, c00);
            c01 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[o1]), b1, c01);
            c10 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[o]), b0, c10);
            c11 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[o1]), b1, c11);
            c20 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[o]), b0, c20);
            c21 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[o1]), b1, c21);
            c30 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[o]), b0, c30);
            c31 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[o1]), b1, c31);
            c40 = Vector256.FusedMultiplyAdd(Vector256.Create(a4[o]), b0, c40);
            c41 = Vector256.FusedMultiplyAdd(Vector256.Create(a4[o1]), b1, c41);
            c50 = Vector256.FusedMultiplyAdd(Vector256.Create(a5[o]), b0, c50);
            c51 = Vector256.FusedMultiplyAdd(Vector256.Create(a5[o1]), b1, c51);
            o = o1 + aKs;
            b += 2 * bKs;
        }
        if (p < k)
        {
            Vector256<float> b0 = Vector256.Load(b);
            c00 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[o]), b0, c00);
            c10 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[o]), b0, c10);
            c20 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[o]), b0, c20);
            c30 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[o]), b0, c30);
            c40 = Vector256.FusedMultiplyAdd(Vector256.Create(a4[o]), b0, c40);
            c50 = Vector256.FusedMultiplyAdd(Vector256.Create(a5[o]), b0, c50);
        }
        c00 += c01; c10 += c11; c20 += c21; c30 += c31; c40 += c41; c50 += c51;

        if (mr == 6 && nr == 8)
        {
            Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
            bool bz = beta == 0f;
            GemmTileStore.Full(c, c00, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c10, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c20, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c30, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c40, va, vb, bz); c += ldc;
            GemmTileStore.Full(c, c50, va, vb, bz);
            return;
        }
        float* t = stackalloc float[6 * 8];
        c00.Store(t); c10.Store(t + 8); c20.Store(t + 16); c30.Store(t + 24); c40.Store(t + 32); c50.Store(t + 40);
        GemmTileStore.Tile256(t, 8, c, ldc, mr, nr, alpha, beta);
    }
}
