// Native, 64-byte-aligned GEMM operands for the benchmarks, with ready-made Mtl and OpenBLAS calls on them.
using System.Runtime.InteropServices;
using Mtl.Kernels;

namespace Mtl.Bench;

/// <summary>
/// A (m×k), B (k×n), C (m×n) filled with values in [-1, 1); with transA A is stored k×m, with transB B is stored n×k.
/// <see cref="Mtl"/> and <see cref="Blas"/> compute C = op(A)·op(B) (beta = 0).
/// </summary>
internal sealed unsafe class GemmOperands : IDisposable
{
    private readonly float* _a, _b, _c;
    public readonly Action Mtl, Blas;

    public GemmOperands(int m, int n, int k, bool transA = false, bool transB = false)
    {
        _a = Alloc((nint)m * k, 1);
        _b = Alloc((nint)k * n, 2);
        _c = Alloc((nint)m * n, 3);
        float* a = _a, b = _b, c = _c;
        int lda = transA ? m : k, ldb = transB ? k : n;
        Mtl = () => Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
        Blas = () => OpenBlas.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
    }

    private static float* Alloc(nint count, int seed)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, count) * sizeof(float)), 64);
        var rng = new Random(seed);
        for (nint i = 0; i < count; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
        return p;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }
}
