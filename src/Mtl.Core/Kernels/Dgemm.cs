// The float64 GEMM: cache-blocked i-k-j loops with Vector<double> row updates (for gradient checks; simple over fast).
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mtl.Kernels;

/// <summary>
/// C = beta·C, then C[i, ·] += (alpha·A(i, p))·B(p, ·) for p in order, in blocks of <see cref="KB"/>×<see cref="NB"/>
/// of B that stay in L2 across all rows. A transposed B is first copied into row-major scratch. Single-threaded.
/// </summary>
internal static unsafe class Dgemm
{
    private const int KB = 128, NB = 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b,
        int ldb, double beta, double* c, int ldc)
    {
        nint aRs = transA ? 1 : lda, aKs = transA ? lda : 1;
        if (transB)
        {
            double* t = GemmScratch.Current.Doubles(GemmScratch.SlotB, (nint)k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) t[(nint)p * n + j] = b[(nint)j * ldb + p];
            b = t;
            ldb = n;
        }
        GemmScale.C(m, n, beta, c, ldc);
        for (int j0 = 0; j0 < n; j0 += NB)
        {
            int w = Math.Min(NB, n - j0);
            for (int p0 = 0; p0 < k; p0 += KB)
            {
                int d = Math.Min(KB, k - p0);
                for (int i = 0; i < m; i++)
                {
                    double* ci = c + (nint)i * ldc + j0;
                    double* ai = a + i * aRs + p0 * aKs;
                    for (int p = 0; p < d; p++)
                        Axpy(alpha * ai[p * aKs], b + (nint)(p0 + p) * ldb + j0, ci, w);
                }
            }
        }
    }

    /// <summary>y[j] += x·b[j] for j &lt; w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(double x, double* b, double* y, int w)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vl = Vector<double>.Count;
            var vx = new Vector<double>(x);
            for (; j + vl <= w; j += vl)
                (Vector.Load(y + j) + vx * Vector.Load(b + j)).Store(y + j);
        }
        for (; j < w; j++) y[j] += x * b[j];
    }
}
