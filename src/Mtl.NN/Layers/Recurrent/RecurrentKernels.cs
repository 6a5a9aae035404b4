// Helpers shared by the fused recurrence kernels: typed GEMM calls on raw arrays, dense views, the parallel row split.
using System.Runtime.CompilerServices;
using Mtl.Threading;

namespace Mtl.NN;

internal static class RecurrentKernels
{
    /// <summary>
    /// C = op(A)·op(B) (+ C when <paramref name="accumulate"/>) on row-major arrays at element offsets, through
    /// <c>Gemm.Sgemm</c> or <c>Gemm.Dgemm</c>.
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

    /// <summary>Elements of gate work per parallel chunk, at least (settable so tests can split tiny batches).</summary>
    internal static int RowGrain { get; set; } = 4096;

    /// <summary>Runs <paramref name="body"/>(start, end) over the batch rows in deterministic parallel chunks.</summary>
    public static void ForRows(int batch, int hidden, Action<int, int> body) =>
        MtlThreads.For(batch, Math.Max(1, RowGrain / Math.Max(1, hidden)), (_, start, end) => body(start, end));

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) once per block of batch rows, the blocks in deterministic parallel chunks
    /// (one per thread when the batch is large enough): for kernels whose rows are independent over a whole sequence.
    /// </summary>
    public static void ForRowBlocks(int batch, int hidden, Action<int, int> body) =>
        MtlThreads.For(batch, Math.Max(1, RowGrain / Math.Max(1, hidden)), (_, start, end) => body(start, end));

    /// <summary>Copies row <c>perm[i]</c> of <paramref name="src"/> to row i of <paramref name="dst"/> for the first
    /// <paramref name="count"/> (default all) i; rows have <paramref name="width"/> elements.</summary>
    public static void GatherRows<T>(ReadOnlySpan<T> src, Span<T> dst, int[] perm, int width, int count = -1)
    {
        if (count < 0) count = perm.Length;
        for (int i = 0; i < count; i++) src.Slice(perm[i] * width, width).CopyTo(dst.Slice(i * width, width));
    }

    /// <summary>dst (cols, rows) = srcᵀ for a dense row-major src (rows, cols).</summary>
    public static void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
    }

    /// <summary>Copies row i of <paramref name="src"/> to row <c>perm[i]</c> of <paramref name="dst"/> (rows of <paramref name="width"/>).</summary>
    public static void ScatterRows<T>(ReadOnlySpan<T> src, Span<T> dst, int[] perm, int width)
    {
        for (int i = 0; i < perm.Length; i++) src.Slice(i * width, width).CopyTo(dst.Slice(perm[i] * width, width));
    }
}

/// <summary>
/// The order in which the fused kernels keep a batch: samples sorted by length, longest first (stable), so the samples
/// still running at any step are a prefix of the rows and each step's GEMM covers only them — PyTorch's packed layout.
/// Without lengths the order is the identity and every step runs all rows.
/// </summary>
internal sealed class RowOrder
{
    private RowOrder(int[] perm, int[] active, bool identity)
    {
        Perm = perm;
        Active = active;
        IsIdentity = identity;
    }

    /// <summary>Row i of the sorted layout holds sample Perm[i].</summary>
    public int[] Perm { get; }

    /// <summary>Active[t]: how many (leading, sorted) rows take part in time step t.</summary>
    public int[] Active { get; }

    /// <summary>True when Perm is 0, 1, ..., B−1 (no copies needed).</summary>
    public bool IsIdentity { get; }

    public static RowOrder Create(int[]? lengths, int batch, int steps)
    {
        if (lengths is null) return new RowOrder(Enumerable.Range(0, batch).ToArray(), Enumerable.Repeat(batch, steps).ToArray(), true);
        var perm = Enumerable.Range(0, batch).OrderByDescending(b => lengths[b]).ToArray(); // OrderBy is stable
        var active = new int[steps];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                if (lengths[b] > t) active[t]++;
        bool identity = true;
        for (int i = 0; i < batch; i++) identity &= perm[i] == i;
        return new RowOrder(perm, active, identity);
    }
}
