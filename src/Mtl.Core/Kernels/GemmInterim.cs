// Interim GEMM entry points (naive); replaced by the packed SIMD kernels of the gemm branch.
using System.Numerics;

namespace Mtl.Kernels;

public static class Gemm
{
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        int aLen = transA ? k * lda : m * lda, bLen = transB ? n * ldb : k * ldb;
        GemmReference.Gemm(transA, transB, m, n, k, alpha, new ReadOnlySpan<float>(a, aLen), lda, new ReadOnlySpan<float>(b, bLen), ldb, beta, new Span<float>(c, m * ldc), ldc);
    }

    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        int aLen = transA ? k * lda : m * lda, bLen = transB ? n * ldb : k * ldb;
        GemmReference.Gemm(transA, transB, m, n, k, alpha, new ReadOnlySpan<double>(a, aLen), lda, new ReadOnlySpan<double>(b, bLen), ldb, beta, new Span<double>(c, m * ldc), ldc);
    }
}

public static class GemmReference
{
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = beta == T.Zero ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
    }
}
