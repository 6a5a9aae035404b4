// The 8×48 Vector512 float32 GEMM micro-kernel: 24 accumulators, A broadcast, up to three B vectors per k.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Kernels;

/// <summary>
/// 8 rows × 48 columns register tile (24 of the 32 zmm registers hold C). Narrower tiles at the right edge use 16 or 32
/// columns (one or two vectors) instead of padding to 48. Written with the portable Vector512 API, so it also runs,
/// slowly, where Vector512 is emulated (how tests exercise it on CPUs without AVX-512).
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct GemmKernelAvx512 : IGemmKernel
{
    public static int MR => 8;
    public static int VL => 16;
    public static int NR => 48;

    public static void Tile(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        if (nr > 32) Run<Three, GemmOff, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta, null, null);
        else if (nr > 16) Run<Two, GemmOff, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta, null, null);
        else Run<One, GemmOff, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, nr, alpha, beta, null, null);
    }

    public static void TileCopy(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, float alpha, float beta, float* aCopy, float* bCopy)
    {
        if (aCopy == null)
            Run<Three, GemmOff, GemmOn>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 48, alpha, beta, null, bCopy);
        else if (bCopy == null)
            Run<Three, GemmOn, GemmOff>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 48, alpha, beta, aCopy, null);
        else
            Run<Three, GemmOn, GemmOn>(k, a, aRs, aKs, b, bKs, c, ldc, mr, 48, alpha, beta, aCopy, bCopy);
    }

    private interface IWidth
    {
        static abstract int Vectors { get; }
    }

    private readonly struct One : IWidth
    {
        public static int Vectors => 1;
    }

    private readonly struct Two : IWidth
    {
        public static int Vectors => 2;
    }

    private readonly struct Three : IWidth
    {
        public static int Vectors => 3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<W, TCopyA, TCopyB>(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta, float* aCopy, float* bCopy)
        where W : struct, IWidth where TCopyA : struct, IGemmSwitch where TCopyB : struct, IGemmSwitch
    {
        bool v2 = W.Vectors >= 2, v3 = W.Vectors >= 3;
        float* a0 = a;
        float* a1 = mr > 1 ? a + aRs : a;
        float* a2 = mr > 2 ? a + 2 * aRs : a;
        float* a3 = mr > 3 ? a + 3 * aRs : a;
        float* a4 = mr > 4 ? a + 4 * aRs : a;
        float* a5 = mr > 5 ? a + 5 * aRs : a;
        float* a6 = mr > 6 ? a + 6 * aRs : a;
        float* a7 = mr > 7 ? a + 7 * aRs : a;
        Vector512<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        nint o = 0;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = v2 ? Vector512.Load(b + 16) : default;
            Vector512<float> b2 = v3 ? Vector512.Load(b + 32) : default;
            Vector512<float> x = Vector512.Create(a0[o]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            if (v2) c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            if (v3) c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            x = Vector512.Create(a1[o]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            if (v2) c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            if (v3) c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            x = Vector512.Create(a2[o]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            if (v2) c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            if (v3) c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            x = Vector512.Create(a3[o]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            if (v2) c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            if (v3) c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
            x = Vector512.Create(a4[o]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            if (v2) c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            if (v3) c42 = Vector512.FusedMultiplyAdd(x, b2, c42);
            x = Vector512.Create(a5[o]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            if (v2) c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            if (v3) c52 = Vector512.FusedMultiplyAdd(x, b2, c52);
            x = Vector512.Create(a6[o]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            if (v2) c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            if (v3) c62 = Vector512.FusedMultiplyAdd(x, b2, c62);
            x = Vector512.Create(a7[o]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            if (v2) c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            if (v3) c72 = Vector512.FusedMultiplyAdd(x, b2, c72);
            if (TCopyA.On)
            {
                Vector256.Load(a0 + o).Store(aCopy);
                aCopy += 8;
            }
            if (TCopyB.On)
            {
                b0.Store(bCopy);
                b1.Store(bCopy + 16);
                b2.Store(bCopy + 32);
                bCopy += 48;
            }
            o += aKs;
            b += bKs;
        }

        if (mr == 8 && nr == W.Vectors * 16)
        {
            Vector512<float> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
            bool bz = beta == 0f;
            Row<W>(c, c00, c01, c02, va, vb, bz); c += ldc;
            Row<W>(c, c10, c11, c12, va, vb, bz); c += ldc;
            Row<W>(c, c20, c21, c22, va, vb, bz); c += ldc;
            Row<W>(c, c30, c31, c32, va, vb, bz); c += ldc;
            Row<W>(c, c40, c41, c42, va, vb, bz); c += ldc;
            Row<W>(c, c50, c51, c52, va, vb, bz); c += ldc;
            Row<W>(c, c60, c61, c62, va, vb, bz); c += ldc;
            Row<W>(c, c70, c71, c72, va, vb, bz);
            return;
        }
        float* t = stackalloc float[8 * 48];
        Spill<W>(t, c00, c01, c02); Spill<W>(t + 48, c10, c11, c12);
        Spill<W>(t + 96, c20, c21, c22); Spill<W>(t + 144, c30, c31, c32);
        Spill<W>(t + 192, c40, c41, c42); Spill<W>(t + 240, c50, c51, c52);
        Spill<W>(t + 288, c60, c61, c62); Spill<W>(t + 336, c70, c71, c72);
        GemmTileStore.Tile512(t, 48, c, ldc, mr, nr, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<W>(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2,
        Vector512<float> va, Vector512<float> vb, bool betaZero) where W : struct, IWidth
    {
        GemmTileStore.Full(c, x0, va, vb, betaZero);
        if (W.Vectors >= 2) GemmTileStore.Full(c + 16, x1, va, vb, betaZero);
        if (W.Vectors >= 3) GemmTileStore.Full(c + 32, x2, va, vb, betaZero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spill<W>(float* t, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2)
        where W : struct, IWidth
    {
        x0.Store(t);
        if (W.Vectors >= 2) x1.Store(t + 16);
        if (W.Vectors >= 3) x2.Store(t + 32);
    }
}
