// Helpers shared by the fused recurrence kernels: typed GEMM calls on raw arrays, dense views, the parallel row split.
using System.Runtime.CompilerServices;
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.NN;

internal static class RecurrentKernels
{
    /// <summary>
    /// C = op(A)·op(B) (+ C when <paramref name="accumulate"/>) on row-major arrays at element offsets, through
    /// <see cref="Gemm.Sgemm"/> or <see cref="Gemm.Dgemm"/>.
    /// </summary>
    public static unsafe void Gemm<T>(bool transA, bool transB, int m, int n, int k, T[] a, int aOff, int lda,
        T[] b, int bOff, int ldb, bool accumulate, T[] c, int cOff, int ldc) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(cOff + i * ldc, n).Clear();
            return;
        }
        if (typeof(T) == typeof(float))
        {
            fixed (float* pa = Unsafe.As<float[]>(a), pb = Unsafe.As<float[]>(b), pc = Unsafe.As<float[]>(c))
                Mtl.Kernels.Gemm.Sgemm(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1f : 0f, pc + cOff, ldc);
        }
        else if (typeof(T) == typeof(double))
        {
            fixed (double* pa = Unsafe.As<double[]>(a), pb = Unsafe.As<double[]>(b), pc = Unsafe.As<double[]>(c))
                Mtl.Kernels.Gemm.Dgemm(transA, transB, m, n, k, 1.0, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1.0 : 0.0, pc + cOff, ldc);
        }
        else throw new NotSupportedException($"recurrent GEMM on {typeof(T).Name}");
    }

    /// <summary>The tensor itself when dense, else a dense copy cut from the graph.</summary>
    public static Tensor Dense(Tensor t) => t.IsContiguous ? t : t.Detach().Contiguous();

    /// <summary>Runs <paramref name="body"/>(start, end) over the batch rows in deterministic parallel chunks.</summary>
    public static void ForRows(int batch, int hidden, Action<int, int> body) =>
        MtlThreads.For(batch, Math.Max(1, 4096 / Math.Max(1, hidden)), (_, start, end) => body(start, end));

    /// <summary>True when sample <paramref name="b"/> takes part in time step <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Active(int[]? lengths, int b, int t) => lengths is null || t < lengths[b];
}
