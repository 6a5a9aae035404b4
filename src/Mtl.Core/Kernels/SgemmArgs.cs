// The operands of one float32 GEMM call, with transposes turned into element strides.
namespace Mtl.Kernels;

/// <summary>
/// C = alpha·A·B + beta·C with A(i, p) = A[i·ARs + p·AKs] (m×k), B(p, j) = B[p·BKs + j·BJs] (k×n), C[i, j] = C[i·Ldc + j].
/// </summary>
internal readonly unsafe struct SgemmArgs
{
    public readonly int M, N, K;
    public readonly float Alpha, Beta;
    public readonly float* A, B, C;
    public readonly nint ARs, AKs, BKs, BJs, Ldc;

    public SgemmArgs(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        M = m; N = n; K = k; Alpha = alpha; Beta = beta; A = a; B = b; C = c; Ldc = ldc;
        ARs = transA ? 1 : lda;
        AKs = transA ? lda : 1;
        BKs = transB ? 1 : ldb;
        BJs = transB ? ldb : 1;
    }

    /// <summary>Whether B's rows are contiguous (B(p, j..j+7) can be loaded as a vector straight from memory).</summary>
    public bool BRowsContiguous => BJs == 1;
}
