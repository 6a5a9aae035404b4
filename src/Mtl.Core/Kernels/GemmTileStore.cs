// Stores of C rows from micro-kernel accumulators: C = alpha·acc (beta == 0, C not read) or fma(alpha, acc, beta·C).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Kernels;

/// <summary>
/// Row stores shared by the micro-kernels. Whole vectors are stored directly; a ragged last vector (r &lt; VL columns)
/// goes through a small stack buffer, which is cheaper here than AVX masked stores (about 10× a plain store on Zen 4
/// without AVX-512). Every path performs the same float operations, so an element's value never depends on whether it
/// sat in a ragged tile.
/// </summary>
internal static unsafe class GemmTileStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full(float* c, Vector256<float> acc, Vector256<float> va, Vector256<float> vb, bool betaZero)
    {
        if (betaZero) (va * acc).Store(c);
        else Vector256.FusedMultiplyAdd(va, acc, vb * Vector256.Load(c)).Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full(float* c, Vector512<float> acc, Vector512<float> va, Vector512<float> vb, bool betaZero)
    {
        if (betaZero) (va * acc).Store(c);
        else Vector512.FusedMultiplyAdd(va, acc, vb * Vector512.Load(c)).Store(c);
    }

    /// <summary>Stores the first <paramref name="r"/> (0 &lt; r ≤ 8) lanes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Part(float* c, Vector256<float> acc, int r, Vector256<float> va, Vector256<float> vb,
        bool betaZero)
    {
        float* t = stackalloc float[8];
        Vector256<float> v;
        if (betaZero) v = va * acc;
        else
        {
            for (int j = 0; j < 8; j++) t[j] = j < r ? c[j] : 0f;
            v = Vector256.FusedMultiplyAdd(va, acc, vb * Vector256.Load(t));
        }
        v.Store(t);
        for (int j = 0; j < r; j++) c[j] = t[j];
    }

    /// <summary>Stores the first <paramref name="r"/> (0 &lt; r ≤ 16) lanes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Part(float* c, Vector512<float> acc, int r, Vector512<float> va, Vector512<float> vb,
        bool betaZero)
    {
        float* t = stackalloc float[16];
        Vector512<float> v;
        if (betaZero) v = va * acc;
        else
        {
            for (int j = 0; j < 16; j++) t[j] = j < r ? c[j] : 0f;
            v = Vector512.FusedMultiplyAdd(va, acc, vb * Vector512.Load(t));
        }
        v.Store(t);
        for (int j = 0; j < r; j++) c[j] = t[j];
    }

    /// <summary>Row of two Vector256 (16 columns, <paramref name="nr"/> of them stored; the second only if nr &gt; 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* c, Vector256<float> x0, Vector256<float> x1, int nr, Vector256<float> va,
        Vector256<float> vb, bool betaZero)
    {
        if (nr >= 8) Full(c, x0, va, vb, betaZero);
        else Part(c, x0, nr, va, vb, betaZero);
        if (nr == 16) Full(c + 8, x1, va, vb, betaZero);
        else if (nr > 8) Part(c + 8, x1, nr - 8, va, vb, betaZero);
    }

    /// <summary>Row of up to three Vector512 (48 columns, <paramref name="nr"/> stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, int nr,
        Vector512<float> va, Vector512<float> vb, bool betaZero)
    {
        if (nr >= 16) Full(c, x0, va, vb, betaZero);
        else Part(c, x0, nr, va, vb, betaZero);
        if (nr >= 32) Full(c + 16, x1, va, vb, betaZero);
        else if (nr > 16) Part(c + 16, x1, nr - 16, va, vb, betaZero);
        if (nr == 48) Full(c + 32, x2, va, vb, betaZero);
        else if (nr > 32) Part(c + 32, x2, nr - 32, va, vb, betaZero);
    }

    /// <summary>
    /// Merges a tile held in <paramref name="acc"/> (row stride <paramref name="accStride"/>) into C with scalar
    /// operations: alpha·acc (beta == 0) or alpha·acc + beta·c, fused or not. Used by the portable kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Edge(float* acc, int accStride, float* c, nint ldc, int mr, int nr, float alpha, float beta,
        bool fused)
    {
        for (int i = 0; i < mr; i++)
        {
            float* t = acc + i * accStride;
            float* ci = c + i * ldc;
            if (beta == 0f)
                for (int j = 0; j < nr; j++) ci[j] = alpha * t[j];
            else if (fused)
                for (int j = 0; j < nr; j++) ci[j] = MathF.FusedMultiplyAdd(alpha, t[j], beta * ci[j]);
            else
                for (int j = 0; j < nr; j++) ci[j] = alpha * t[j] + beta * ci[j];
        }
    }
}
