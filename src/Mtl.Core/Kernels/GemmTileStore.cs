// Stores of C rows from micro-kernel accumulators: C = alpha·acc (beta == 0, C not read) or fma(alpha, acc, beta·C).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Kernels;

/// <summary>
/// Row stores shared by the micro-kernels. Whole vectors are stored directly; a ragged last vector (r &lt; VL columns)
/// goes through a small stack buffer, which is cheaper here than AVX masked stores (about 10× a plain store on Zen 4
/// without AVX-512). Every path performs the same float operations, so an element's value never depends on whether it
/// sat in a ragged tile.
/// </summary>
internal static unsafe class GemmTileStore
{
    /// <summary>
    /// Prefetches the <paramref name="rows"/> rows of <paramref name="width"/> floats of a C tile, so that the loads
    /// and stores of the epilogue do not miss after the k loop (C of a large problem lives in DRAM).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(float* c, nint ldc, int rows, int width)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + width - 1);
        }
    }

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

    /// <summary>Stores the first <paramref name="r"/> (0 &lt; r ≤ 8) lanes (reads only those of C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Part(float* c, Vector256<float> acc, int r, Vector256<float> va, Vector256<float> vb,
        bool betaZero)
    {
        Vector256<float> v = betaZero ? va * acc : Vector256.FusedMultiplyAdd(va, acc, vb * LoadFirst(c, r));
        Vector128<float> x = v.GetLower();
        if (r >= 4)
        {
            x.Store(c);
            if (r == 4) return;
            c += 4;
            r -= 4;
            x = v.GetUpper();
        }
        if (r >= 2)
        {
            *(double*)c = x.AsDouble().ToScalar();
            if (r == 2) return;
            c += 2;
            x = Vector128.Shuffle(x, Vector128.Create(2, 3, 0, 1));
        }
        *c = x.ToScalar();
    }

    /// <summary>The first r (0 &lt; r ≤ 8) floats at c, zeros after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadFirst(float* c, int r) =>
        r >= 4 ? Vector256.Create(Vector128.Load(c), LoadFirst128(c + 4, r - 4))
            : Vector256.Create(LoadFirst128(c, r), Vector128<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LoadFirst128(float* c, int r) => r switch
    {
        0 => Vector128<float>.Zero,
        1 => Vector128.CreateScalar(c[0]),
        2 => Vector128.CreateScalar(*(double*)c).AsSingle(),
        3 => Vector128.Create(c[0], c[1], c[2], 0f),
        _ => Vector128.Load(c),
    };

    /// <summary>Stores the first <paramref name="r"/> (0 &lt; r ≤ 16) lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Part(float* c, Vector512<float> acc, int r, Vector512<float> va, Vector512<float> vb,
        bool betaZero)
    {
        Buffer16 buf;
        float* t = (float*)&buf;
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

    /// <summary>
    /// Merges a ragged tile (mr rows, nr columns) spilled at <paramref name="t"/> (row stride tStride) into C: whole
    /// Vector256 runs first, then the ragged last vector. Kernels call this only after spilling every accumulator, so
    /// no vector register is live across the call (otherwise the JIT spills the accumulators inside the k loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Tile256(float* t, int tStride, float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        bool bz = beta == 0f;
        for (int i = 0; i < mr; i++, t += tStride, c += ldc)
        {
            int j = 0;
            for (; j + 8 <= nr; j += 8) Full(c + j, Vector256.Load(t + j), va, vb, bz);
            if (j < nr) Part(c + j, Vector256.Load(t + j), nr - j, va, vb, bz);
        }
    }

    /// <summary>As <see cref="Tile256"/> with Vector512 runs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Tile512(float* t, int tStride, float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        Vector512<float> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
        bool bz = beta == 0f;
        for (int i = 0; i < mr; i++, t += tStride, c += ldc)
        {
            int j = 0;
            for (; j + 16 <= nr; j += 16) Full(c + j, Vector512.Load(t + j), va, vb, bz);
            if (j < nr) Part(c + j, Vector512.Load(t + j), nr - j, va, vb, bz);
        }
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

    [InlineArray(16)]
    private struct Buffer16
    {
        private float _e;
    }
}
