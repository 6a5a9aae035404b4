// The naive GEMM oracle for any IEEE floating-point type: plain triple loop, kept forever as the tests' reference.
using System.Numerics;

namespace Mtl.Kernels;

/// <summary>Reference C = alpha·op(A)·op(B) + beta·C with the same conventions as <see cref="Gemm"/>. Slow on purpose.</summary>
public static class GemmReference
{
    /// <summary>
    /// For each C element: s = Σ_p op(A)[i, p]·op(B)[p, j] in order p = 0..k-1, then C = alpha·s (beta == 0, C not read)
    /// or alpha·s + beta·C.
    /// </summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmChecks.Sizes(transA, transB, m, n, k, lda, ldb, ldc);
        GemmChecks.Lengths(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T x = transA ? a[p * lda + i] : a[i * lda + p];
                    T y = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += x * y;
                }
                ref T cij = ref c[i * ldc + j];
                cij = beta == T.Zero ? alpha * s : alpha * s + beta * cij;
            }
        }
    }
}
