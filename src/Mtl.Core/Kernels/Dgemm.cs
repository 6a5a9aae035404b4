// The float64 GEMM: cache-blocked i-k-j loops with Vector<double> row updates (for gradient checks; simple over fast).
using System.Numerics;
using System.Runtime.CompilerServices;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>
/// C = beta·C, then C[i, ·] += (alpha·A(i, p))·B(p, ·) for p in order, in blocks of <see cref="KB"/>×<see cref="NB"/>
/// of B that stay in L2 across all rows. A transposed B is first copied into row-major scratch. Large problems split
/// their rows between the GEMM threads; each element's operations do not depend on the split.
/// </summary>
internal static unsafe class Dgemm
{
    private const int KB = 128, NB = 256, RowsPerChunk = 16;

    public static void Run(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b,
        int ldb, double beta, double* c, int ldc)
    {
        if (transB)
        {
            double* t = GemmScratch.Current.Doubles(GemmScratch.SlotB, (nint)k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) t[(nint)p * n + j] = b[(nint)j * ldb + p];
            b = t;
            ldb = n;
        }
        var args = new Args(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        int threads = MtlThreads.Count;
        int chunks = Math.Min(threads * 4, (m + RowsPerChunk - 1) / RowsPerChunk);
        if (threads > 1 && chunks > 1 && (long)m * n * k >= SgemmSplit.MinParallelWork && GemmPool.TryEnter())
        {
            try
            {
                Job.Instance.Set(args, chunks);
                GemmPool.Run(Job.Instance, chunks, threads - 1);
            }
            finally
            {
                GemmPool.Exit();
            }
            return;
        }
        Rows(args, 0, m);
    }

    /// <summary>Rows [i0, i1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(in Args g, int i0, int i1)
    {
        nint aRs = g.TransA ? 1 : g.Lda, aKs = g.TransA ? g.Lda : 1;
        GemmScale.C(i1 - i0, g.N, g.Beta, g.C + (nint)i0 * g.Ldc, g.Ldc);
        for (int j0 = 0; j0 < g.N; j0 += NB)
        {
            int w = Math.Min(NB, g.N - j0);
            for (int p0 = 0; p0 < g.K; p0 += KB)
            {
                int d = Math.Min(KB, g.K - p0);
                for (int i = i0; i < i1; i++)
                {
                    double* ci = g.C + (nint)i * g.Ldc + j0;
                    double* ai = g.A + i * aRs + p0 * aKs;
                    for (int p = 0; p < d; p++)
                        Axpy(g.Alpha * ai[p * aKs], g.B + (nint)(p0 + p) * g.Ldb + j0, ci, w);
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

    private readonly struct Args(bool transA, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb,
        double beta, double* c, int ldc)
    {
        public readonly bool TransA = transA;
        public readonly int M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc;
        public readonly double Alpha = alpha, Beta = beta;
        public readonly double* A = a, B = b, C = c;
    }

    /// <summary>The pool's view of the call in progress (used only while holding the pool).</summary>
    private sealed class Job : GemmJob
    {
        public static readonly Job Instance = new();
        private Args _g;
        private int _chunks;

        public void Set(in Args g, int chunks)
        {
            _g = g;
            _chunks = chunks;
        }

        public override void RunChunk(int chunk)
        {
            var (s, e) = MtlThreads.ChunkBounds(_g.M, _chunks, chunk);
            Rows(_g, s, e);
        }
    }
}
