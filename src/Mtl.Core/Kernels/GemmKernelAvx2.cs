// The 6×16 Vector256 float32 GEMM micro-kernel (AVX2 + FMA): 12 accumulators, A broadcast, B two vectors per k.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Kernels;

/// <summary>
/// 6 rows × 16 columns register tile (12 of the 16 ymm registers hold C). A tile of at most 8 columns uses 6 × 8 with
/// even and odd k summed in separate accumulators (so that 12 FMA chains hide the FMA latency) and added at the end.
/// </summary>
internal readonly unsafe struct GemmKernelAvx2 : IGemmKernel
{
    public static int MR => 6;
    public static int VL => 8;
    public static int NR => 16;

    public static void Tile(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        if (nr > 8) Wide(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta);
        else Narrow(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Wide(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
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
            o += aKs;
            b += bKs;
        }

        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        bool bz = beta == 0f;
        GemmTileStore.Row(c, c00, c01, nr, va, vb, bz);
        if (mr > 1) GemmTileStore.Row(c + ldc, c10, c11, nr, va, vb, bz);
        if (mr > 2) GemmTileStore.Row(c + 2 * ldc, c20, c21, nr, va, vb, bz);
        if (mr > 3) GemmTileStore.Row(c + 3 * ldc, c30, c31, nr, va, vb, bz);
        if (mr > 4) GemmTileStore.Row(c + 4 * ldc, c40, c41, nr, va, vb, bz);
        if (mr > 5) GemmTileStore.Row(c + 5 * ldc, c50, c51, nr, va, vb, bz);
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

        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        bool bz = beta == 0f;
        Row(c, c00, nr, va, vb, bz);
        if (mr > 1) Row(c + ldc, c10, nr, va, vb, bz);
        if (mr > 2) Row(c + 2 * ldc, c20, nr, va, vb, bz);
        if (mr > 3) Row(c + 3 * ldc, c30, nr, va, vb, bz);
        if (mr > 4) Row(c + 4 * ldc, c40, nr, va, vb, bz);
        if (mr > 5) Row(c + 5 * ldc, c50, nr, va, vb, bz);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* c, Vector256<float> x, int nr, Vector256<float> va, Vector256<float> vb, bool bz)
    {
        if (nr == 8) GemmTileStore.Full(c, x, va, vb, bz);
        else GemmTileStore.Part(c, x, nr, va, vb, bz);
    }
}
