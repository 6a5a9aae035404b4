// Argument validation shared by every GEMM entry point: sizes, leading dimensions and buffer lengths.
namespace Mtl.Kernels;

/// <summary>Throws <see cref="ArgumentException"/>s that name the offending argument and the sizes involved.</summary>
internal static class GemmChecks
{
    /// <summary>Checks m, n, k ≥ 0 and that every leading dimension covers a stored row.</summary>
    public static void Sizes(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "GEMM size m must not be negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "GEMM size n must not be negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "GEMM size k must not be negative.");
        int aCols = transA ? m : k, bCols = transB ? k : n;
        if (lda < aCols)
            throw new ArgumentException(
                $"lda ({lda}) must be at least {aCols}, the row length of A stored as {Shape(transA, "m", "k")} " +
                $"(m={m}, k={k}, transA={transA}).", nameof(lda));
        if (ldb < bCols)
            throw new ArgumentException(
                $"ldb ({ldb}) must be at least {bCols}, the row length of B stored as {Shape(transB, "k", "n")} " +
                $"(k={k}, n={n}, transB={transB}).", nameof(ldb));
        if (ldc < n)
            throw new ArgumentException($"ldc ({ldc}) must be at least n ({n}), the row length of C (m={m}).", nameof(ldc));
    }

    /// <summary>Checks that the spans hold every element the call reads or writes (call after <see cref="Sizes"/>).</summary>
    public static void Lengths(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc,
        int aLength, int bLength, int cLength)
    {
        long needA = Needed(transA ? k : m, transA ? m : k, lda);
        if (m > 0 && n > 0 && aLength < needA)
            throw new ArgumentException(
                $"a has {aLength} elements but A stored as {Shape(transA, "m", "k")} with m={m}, k={k}, lda={lda} " +
                $"needs {needA}.", "a");
        long needB = Needed(transB ? n : k, transB ? k : n, ldb);
        if (m > 0 && n > 0 && bLength < needB)
            throw new ArgumentException(
                $"b has {bLength} elements but B stored as {Shape(transB, "k", "n")} with k={k}, n={n}, ldb={ldb} " +
                $"needs {needB}.", "b");
        long needC = Needed(m, n, ldc);
        if (cLength < needC)
            throw new ArgumentException(
                $"c has {cLength} elements but C (m×n) with m={m}, n={n}, ldc={ldc} needs {needC}.", "c");
    }

    private static long Needed(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;

    private static string Shape(bool trans, string r, string c) => trans ? $"{c}×{r} (transposed)" : $"{r}×{c}";
}
