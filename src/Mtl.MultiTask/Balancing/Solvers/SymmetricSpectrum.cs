// Sorted eigen-decomposition and pseudo-inverse of a small symmetric matrix (a task Gramian), in double precision.
using Mtl.Kernels;

namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Eigenvalues in descending order with their eigenvectors, for the K×K Gramians of the gradient strategies. Built on
/// the core's cyclic Jacobi solver (<see cref="SymmetricEigen"/>, float64, accurate to a few ulps of the largest
/// eigenvalue), which only returns them unsorted.
/// </summary>
internal static class SymmetricSpectrum
{
    /// <summary>
    /// The machine epsilon of float32 (2⁻²³). The gradients are computed in float32, so eigenvalues below
    /// λ_max·n·ε₃₂ are noise; this is the rank cut-off of Aligned-MTL's implementations (LibMTL and the authors' code
    /// use <c>torch.finfo().eps</c> of the default float32 dtype).
    /// </summary>
    public const double Float32Epsilon = 1.1920928955078125e-7;

    /// <summary>
    /// Eigenvalues of the symmetric <paramref name="a"/> (n×n) in descending order, and the matching unit eigenvectors
    /// as the columns of the returned n×n matrix, so that a = V·diag(λ)·Vᵀ.
    /// </summary>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] a)
    {
        int n = a.GetLength(0);
        if (a.GetLength(1) != n) throw new ArgumentException($"SymmetricSpectrum: the matrix is {n}×{a.GetLength(1)}, not square");
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) flat[i * n + j] = a[i, j];
        var (values, q) = SymmetricEigen.Decompose(flat, n);
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (x, y) =>
        {
            int c = values[y].CompareTo(values[x]);   // descending; ties keep index order
            return c != 0 ? c : x.CompareTo(y);
        });
        var sorted = new double[n];
        var vectors = new double[n, n];
        for (int c = 0; c < n; c++)
        {
            sorted[c] = values[order[c]];
            for (int r = 0; r < n; r++) vectors[r, c] = q[r * n + order[c]];
        }
        return (sorted, vectors);
    }

    /// <summary>
    /// How many of the descending <paramref name="values"/> exceed λ_max·n·<paramref name="relativeTolerance"/>
    /// (λ_max·n·ε₃₂ by default): the numerical rank.
    /// </summary>
    public static int Rank(ReadOnlySpan<double> values, double relativeTolerance = Float32Epsilon)
    {
        if (values.Length == 0 || !(values[0] > 0)) return 0;
        double tol = values[0] * values.Length * relativeTolerance;
        int rank = 0;
        while (rank < values.Length && values[rank] > tol) rank++;
        return rank;
    }

    /// <summary>
    /// The Moore-Penrose pseudo-inverse of the symmetric positive semi-definite <paramref name="a"/>:
    /// Σ over the eigenpairs kept by <see cref="Rank"/> of vᵣvᵣᵀ/λᵣ (zero for a zero matrix).
    /// </summary>
    public static double[,] PseudoInverse(double[,] a, double relativeTolerance = Float32Epsilon)
    {
        var (values, v) = Decompose(a);
        int n = values.Length, rank = Rank(values, relativeTolerance);
        var inv = new double[n, n];
        for (int r = 0; r < rank; r++)
        {
            double s = 1 / values[r];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) inv[i, j] += s * v[i, r] * v[j, r];
        }
        return inv;
    }
}
