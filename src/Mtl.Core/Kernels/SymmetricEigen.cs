// Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations, in double precision.
namespace Mtl.Kernels;

/// <summary>
/// Cyclic Jacobi eigen-solver for small symmetric matrices (a Gramian of a few task rows): each rotation zeroes one
/// off-diagonal pair, sweeps repeat until the off-diagonal mass is negligible. O(n³) per sweep, accurate to a few ulps
/// of the largest eigenvalue; meant for n up to a few dozen.
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 64;

    /// <summary>
    /// Eigenvalues λ (length n, unsorted) and eigenvectors as the columns of the row-major n×n matrix Q, so that
    /// a = Q·diag(λ)·Qᵀ. <paramref name="a"/> (row-major n×n) must be symmetric; only its values are read.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"SymmetricEigen: {a.Length} values for a {n}×{n} matrix");
        var m = a.ToArray();
        var q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;

        double total = 0;
        foreach (var x in m) total += x * x;
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int r = p + 1; r < n; r++) off += m[p * n + r] * m[p * n + r];
            if (off <= 1e-32 * total) break;
            for (int p = 0; p < n; p++)
                for (int r = p + 1; r < n; r++) Rotate(m, q, n, p, r);
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i * n + i];
        return (values, q);
    }

    // One rotation J in the (p, r) plane with tan θ chosen so that (Jᵀ·m·J)[p, r] = 0; q ← q·J.
    private static void Rotate(double[] m, double[] q, int n, int p, int r)
    {
        double apr = m[p * n + r];
        if (apr == 0) return;
        double theta = (m[r * n + r] - m[p * n + p]) / (2 * apr);
        double t = double.IsInfinity(theta * theta)
            ? 0.5 / theta
            : Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)                       // columns: m ← m·J
        {
            double kp = m[k * n + p], kr = m[k * n + r];
            m[k * n + p] = c * kp - s * kr;
            m[k * n + r] = s * kp + c * kr;
        }
        for (int k = 0; k < n; k++)                       // rows: m ← Jᵀ·m
        {
            double pk = m[p * n + k], rk = m[r * n + k];
            m[p * n + k] = c * pk - s * rk;
            m[r * n + k] = s * pk + c * rk;
        }
        m[p * n + r] = m[r * n + p] = 0;
        for (int k = 0; k < n; k++)
        {
            double kp = q[k * n + p], kr = q[k * n + r];
            q[k * n + p] = c * kp - s * kr;
            q[k * n + r] = s * kp + c * kr;
        }
    }
}
