// The min-norm point of the convex hull of a few vectors, from their Gram matrix alone (Wolfe's algorithm), for ParetoMTL.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Solves min ‖Σᵢ cᵢvᵢ‖² = cᵀQc over the simplex (cᵢ ≥ 0, Σcᵢ = 1) given only the M×M Gram matrix Qᵢⱼ = vᵢ·vⱼ —
/// the subproblem of MGDA-style methods (ParetoMTL solves it over task gradients and constraint gradients). Uses
/// Wolfe's algorithm (P. Wolfe, "Finding the nearest point in a polytope", Mathematical Programming 11, 1976): it keeps
/// a "corral" of affinely independent points, moves to the minimum-norm point of their affine hull (a small KKT
/// system), drops points whose weight would turn negative, and adds the point that most violates optimality
/// (min over j of x·vⱼ &lt; ‖x‖²) until none does. It ends after finitely many steps with the exact answer (up to
/// rounding); the vectors may be linearly dependent (M larger than their span), as ParetoMTL's constraint gradients are.
/// The min-norm point is unique, its coefficients need not be (then one valid set is returned). M is small (a few
/// tasks plus a few constraints), so everything is O(M³) on the Gramian.
/// </summary>
public static class ParetoMinNorm
{
    /// <summary>
    /// Writes the optimal simplex coefficients into <paramref name="coefficients"/> (length M) and returns the squared
    /// norm of the min-norm point. All-zero vectors give the uniform coefficients and 0.
    /// </summary>
    public static double Solve(double[,] gram, Span<double> coefficients)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int m = gram.GetLength(0);
        if (m < 1 || gram.GetLength(1) != m) throw new ArgumentException($"ParetoMinNorm: the Gram matrix must be square and non-empty, got {gram.GetLength(0)}×{gram.GetLength(1)}");
        if (coefficients.Length != m) throw new ArgumentException($"ParetoMinNorm: room for {coefficients.Length} coefficients, {m} vectors");
        double scale = 0;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
                if (!double.IsFinite(gram[i, j])) throw new ArgumentException($"ParetoMinNorm: the Gram matrix has a non-finite entry at ({i}, {j})");
            scale = Math.Max(scale, gram[i, i]);
        }
        if (scale <= 0)
        {
            coefficients.Fill(1.0 / m);
            return 0;
        }
        // Work on Q/scale so that tolerances are relative; the coefficients do not change.
        var q = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) q[i, j] = gram[i, j] / scale;

        var lambda = new double[m];
        var mu = new double[m];
        var xp = new double[m];
        var corral = new List<int>(m);
        int start = 0;
        for (int i = 1; i < m; i++) if (q[i, i] < q[start, start]) start = i;
        corral.Add(start);
        lambda[start] = 1;
        const double tolerance = 1e-13;
        for (int major = 0; major < 50 * m + 50; major++)
        {
            // x·vⱼ for every j, and ‖x‖², from the current weights.
            double xx = 0;
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                foreach (int i in corral) s += lambda[i] * q[i, j];
                xp[j] = s;
            }
            foreach (int i in corral) xx += lambda[i] * xp[i];
            int enter = 0;
            for (int j = 1; j < m; j++) if (xp[j] < xp[enter]) enter = j;
            if (xx - xp[enter] <= tolerance || corral.Contains(enter)) break;
            corral.Add(enter);
            lambda[enter] = 0;
            if (!MinorCycles(q, corral, lambda, mu)) break;
        }
        double total = 0;
        for (int i = 0; i < m; i++) total += lambda[i] = Math.Max(lambda[i], 0);
        for (int i = 0; i < m; i++) coefficients[i] = lambda[i] / total;
        double norm = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) norm += coefficients[i] * gram[i, j] * coefficients[j];
        return Math.Max(norm, 0);
    }

    // Moves the weights to the affine min-norm point of the corral, dropping points whose weight would turn negative
    // on the way. Returns false (undoing the last point's entry) when the corral became affinely dependent.
    private static bool MinorCycles(double[,] q, List<int> corral, double[] lambda, double[] mu)
    {
        int entered = corral[^1];
        while (true)
        {
            if (!AffineMinimum(q, corral, mu))
            {
                corral.Remove(entered);
                lambda[entered] = 0;
                return false;
            }
            bool interior = true;
            foreach (int i in corral) if (mu[i] <= 0) { interior = false; break; }
            if (interior)
            {
                foreach (int i in corral) lambda[i] = mu[i];
                return true;
            }
            // Step from λ towards μ until the first weight reaches 0.
            double theta = 1;
            int leave = -1;
            foreach (int i in corral)
            {
                if (mu[i] > 0) continue;
                double gap = lambda[i] - mu[i];
                double t = gap > 0 ? lambda[i] / gap : 0;
                if (leave < 0 || t < theta) { theta = t; leave = i; }
            }
            foreach (int i in corral) lambda[i] = (1 - theta) * lambda[i] + theta * mu[i];
            lambda[leave] = 0;
            corral.RemoveAll(i => lambda[i] <= 0);
            if (corral.Count == 0) throw new InvalidOperationException("ParetoMinNorm: the corral emptied (numerical failure)");
        }
    }

    // μ over the corral minimising μᵀQμ with Σμ = 1: the KKT system [Q 1; 1ᵀ 0]·[μ; ν] = [0; 1]. False when singular.
    private static bool AffineMinimum(double[,] q, List<int> corral, double[] mu)
    {
        int n = corral.Count;
        var a = new double[n + 1, n + 2];   // augmented matrix
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++) a[r, c] = q[corral[r], corral[c]];
            a[r, n] = 1;
            a[n, r] = 1;
        }
        a[n, n + 1] = 1;
        for (int col = 0; col <= n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r <= n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (Math.Abs(a[pivot, col]) < 1e-13) return false;
            if (pivot != col)
                for (int c = col; c <= n + 1; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int r = 0; r <= n; r++)
            {
                if (r == col || a[r, col] == 0) continue;
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= n + 1; c++) a[r, c] -= f * a[col, c];
            }
        }
        for (int r = 0; r < n; r++) mu[corral[r]] = a[r, n + 1] / a[r, r];
        return true;
    }
}
