// Cholesky factorisation and solves for the small (K×K) symmetric positive-definite systems of the balancing solvers.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// In-place Cholesky A = L·Lᵀ of an n×n row-major matrix (only the lower triangle is read and written) and the two
/// triangular solves. Allocation-free; meant for the K×K and smaller systems of the balancing solvers.
/// </summary>
internal static class SmallCholesky
{
    /// <summary>
    /// Factors <paramref name="a"/> (n×n, row-major) in place into L. Returns false when a pivot falls to
    /// <paramref name="relativeFloor"/>·(largest diagonal entry) or below: the matrix is then treated as singular.
    /// </summary>
    public static bool Factor(Span<double> a, int n, double relativeFloor = 1e-13)
    {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.Max(maxDiag, a[i * n + i]);
        double floor = relativeFloor * maxDiag;
        if (!(maxDiag > 0)) return false;
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > floor)) return false;
            double l = Math.Sqrt(d);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / l;
            }
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ·x = b in place (<paramref name="x"/> holds b on entry) with the factor from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            double s = x[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * x[k];
            x[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
    }
}
