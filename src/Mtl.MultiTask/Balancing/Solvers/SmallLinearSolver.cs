// Solves a small dense n×n linear system (n = K tasks) by Gaussian elimination, with a least-squares fallback.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// A·x = b for the small systems of the closed-form strategies (IMTL-G's K×K system). Rows are equilibrated (scaled
/// to a largest entry of 1) and eliminated with partial pivoting; when a pivot falls below
/// <see cref="SingularPivot"/> the system is treated as singular and the minimum-norm least-squares solution
/// x = A⁺b = (AᵀA)⁺Aᵀb is returned instead (no NaN, no exception, for degenerate inputs such as equal task gradients).
/// </summary>
internal static class SmallLinearSolver
{
    /// <summary>Smallest pivot, relative to its equilibrated row, that elimination accepts.</summary>
    public const double SingularPivot = 1e-10;

    /// <summary>
    /// Solves A·x = b into <paramref name="x"/>; returns true when solved by elimination, false when the least-squares
    /// fallback was used (A numerically singular).
    /// </summary>
    public static bool Solve(double[,] a, ReadOnlySpan<double> b, Span<double> x)
    {
        int n = a.GetLength(0);
        if (a.GetLength(1) != n) throw new ArgumentException($"SmallLinearSolver: the matrix is {n}×{a.GetLength(1)}, not square");
        if (b.Length != n || x.Length != n) throw new ArgumentException($"SmallLinearSolver: a {n}×{n} system needs right-hand side and solution of length {n}, got {b.Length} and {x.Length}");
        if (TryEliminate(a, b, x)) return true;
        LeastSquares(a, b, x);
        return false;
    }

    /// <summary>
    /// Gaussian elimination with row equilibration and partial pivoting; false (x unspecified) when a pivot is below
    /// <see cref="SingularPivot"/>.
    /// </summary>
    public static bool TryEliminate(double[,] a, ReadOnlySpan<double> b, Span<double> x)
    {
        int n = a.GetLength(0);
        var m = new double[n, n + 1];   // [A | b], equilibrated
        for (int i = 0; i < n; i++)
        {
            double scale = 0;
            for (int j = 0; j < n; j++) scale = Math.Max(scale, Math.Abs(a[i, j]));
            if (!(scale > 0) || !double.IsFinite(scale)) return false;   // a zero (or non-finite) row
            for (int j = 0; j < n; j++) m[i, j] = a[i, j] / scale;
            m[i, n] = b[i] / scale;
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (!(Math.Abs(m[pivot, col]) >= SingularPivot)) return false;
            if (pivot != col)
                for (int j = col; j <= n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int j = col; j <= n; j++) m[r, j] -= f * m[col, j];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = m[i, n];
            for (int j = i + 1; j < n; j++) s -= m[i, j] * x[j];
            x[i] = s / m[i, i];
        }
        return true;
    }

    /// <summary>The minimum-norm least-squares solution x = (AᵀA)⁺Aᵀb (eigenvalues of AᵀA below λ_max·n·ε₃₂ dropped).</summary>
    public static void LeastSquares(double[,] a, ReadOnlySpan<double> b, Span<double> x)
    {
        int n = a.GetLength(0);
        var ata = new double[n, n];
        Span<double> atb = stackalloc double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int r = 0; r < n; r++) s += a[r, i] * a[r, j];
                ata[i, j] = s;
            }
            double t = 0;
            for (int r = 0; r < n; r++) t += a[r, i] * b[r];
            atb[i] = t;
        }
        var pinv = SymmetricSpectrum.PseudoInverse(ata);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += pinv[i, j] * atb[j];
            x[i] = s;
        }
    }
}
