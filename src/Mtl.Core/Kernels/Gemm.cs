// Public GEMM entry points: C = alpha·op(A)·op(B) + beta·C for float32 (fast kernels) and float64, row-major.
namespace Mtl.Kernels;

/// <summary>
/// General matrix multiply on row-major matrices. op(A) is m×k: A itself (stored m×k, row stride lda) or, when transA,
/// the transpose of A stored k×m. op(B) is k×n likewise (stored n×k when transB). C is m×n with row stride ldc.
/// beta == 0 overwrites C without reading it. Results are bit-identical for the same inputs whatever the thread count.
/// </summary>
public static class Gemm
{
    /// <summary>Kernel forced for float32 calls made from the current thread (Auto = the default). Tests and benchmarks.</summary>
    internal static GemmKernelKind ForceKernel
    {
        get => GemmKernelSelect.Force;
        set => GemmKernelSelect.Force = value;
    }

    /// <summary>float32 GEMM on raw pointers (sizes and leading dimensions are validated, lengths cannot be).</summary>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        GemmChecks.Sizes(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            GemmScale.C(m, n, beta, c, ldc);
            return;
        }
        SgemmRun.Run(new SgemmArgs(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
            GemmKernelSelect.Current);
    }

    /// <summary>float32 GEMM on spans; throws <see cref="ArgumentException"/> naming the argument on any mismatch.</summary>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmChecks.Sizes(transA, transB, m, n, k, lda, ldb, ldc);
        GemmChecks.Lengths(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>float64 GEMM on raw pointers; same conventions as Sgemm (cache-blocked, single-threaded).</summary>
    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        GemmChecks.Sizes(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0d)
        {
            GemmScale.C(m, n, beta, c, ldc);
            return;
        }
        Kernels.Dgemm.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>float64 GEMM on spans; throws <see cref="ArgumentException"/> naming the argument on any mismatch.</summary>
    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        GemmChecks.Sizes(transA, transB, m, n, k, lda, ldb, ldc);
        GemmChecks.Lengths(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
            Dgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
