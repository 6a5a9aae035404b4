// Truncated higher-order SVD of a 3-way tensor in float64, via Jacobi eigen-decompositions of the mode Gram matrices.
namespace Mtl.MultiTask.Architectures;

/// <summary>
/// Truncated HOSVD (De Lathauwer et al. 2000) of a D1×D2×D3 tensor W (row-major, index (i, j, k)): each factor U_n holds
/// the r_n leading left singular vectors of W's mode-n unfolding (the leading eigenvectors of its Gram matrix), and the
/// core is S = W ×₁ U₁ᵀ ×₂ U₂ᵀ ×₃ U₃ᵀ. With full ranks, S ×₁ U₁ ×₂ U₂ ×₃ U₃ reproduces W.
/// </summary>
internal static class Hosvd
{
    /// <summary>Core (r1·r2·r3, index (a, b, c)) and factors U1 (D1×r1), U2 (D2×r2), U3 (D3×r3), all row-major.</summary>
    public static (double[] Core, double[] U1, double[] U2, double[] U3) Truncate(double[] w, int d1, int d2, int d3, int r1, int r2, int r3)
    {
        if (w.Length != d1 * d2 * d3) throw new ArgumentException($"Hosvd: {w.Length} values do not form a {d1}×{d2}×{d3} tensor");
        var u1 = LeadingEigenvectors(Gram(w, d1, d2, d3, 0), d1, r1);
        var u2 = LeadingEigenvectors(Gram(w, d1, d2, d3, 1), d2, r2);
        var u3 = LeadingEigenvectors(Gram(w, d1, d2, d3, 2), d3, r3);
        var core = new double[r1 * r2 * r3];
        for (int i = 0; i < d1; i++)
            for (int j = 0; j < d2; j++)
                for (int k = 0; k < d3; k++)
                {
                    double v = w[(i * d2 + j) * d3 + k];
                    if (v == 0) continue;
                    for (int a = 0; a < r1; a++)
                    {
                        double va = v * u1[i * r1 + a];
                        for (int b = 0; b < r2; b++)
                        {
                            double vab = va * u2[j * r2 + b];
                            for (int c = 0; c < r3; c++) core[(a * r2 + b) * r3 + c] += vab * u3[k * r3 + c];
                        }
                    }
                }
        return (core, u1, u2, u3);
    }

    /// <summary>The Gram matrix X Xᵀ of the mode-<paramref name="mode"/> unfolding X (size d_mode × d_mode).</summary>
    private static double[,] Gram(double[] w, int d1, int d2, int d3, int mode)
    {
        int[] dims = [d1, d2, d3];
        int n = dims[mode];
        var g = new double[n, n];
        for (int i = 0; i < d1; i++)
            for (int j = 0; j < d2; j++)
                for (int k = 0; k < d3; k++)
                {
                    int[] idx = [i, j, k];
                    int p = idx[mode];
                    double v = w[(i * d2 + j) * d3 + k];
                    // Pair with every element sharing the other two indices.
                    for (int q = 0; q < n; q++)
                    {
                        idx[mode] = q;
                        g[p, q] += v * w[(idx[0] * d2 + idx[1]) * d3 + idx[2]];
                    }
                }
        return g;
    }

    /// <summary>The <paramref name="r"/> eigenvectors of symmetric <paramref name="a"/> (n×n) with the largest eigenvalues, as columns of an n×r row-major matrix.</summary>
    internal static double[] LeadingEigenvectors(double[,] a, int n, int r)
    {
        var (values, vectors) = JacobiEigen(a, n);
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var u = new double[n * r];
        for (int c = 0; c < r; c++)
        {
            int col = order[c];
            // Fix the sign (largest-magnitude entry positive) so results do not depend on rotation order details.
            int arg = 0;
            for (int i = 1; i < n; i++) if (Math.Abs(vectors[i, col]) > Math.Abs(vectors[arg, col])) arg = i;
            double sign = vectors[arg, col] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) u[i * r + c] = sign * vectors[i, col];
        }
        return u;
    }

    /// <summary>Cyclic Jacobi rotations: eigenvalues and eigenvectors (columns) of a symmetric matrix; the input is copied.</summary>
    internal static (double[] Values, double[,] Vectors) JacobiEigen(double[,] input, int n)
    {
        var a = (double[,])input.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        double total = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) total += a[i, j] * a[i, j];
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p, q];
                    if (Math.Abs(apq) <= 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * apq);
                    double t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)                                 // A ← A·P (columns p, q)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)                                 // A ← Pᵀ·A (rows p, q)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)                                 // V ← V·P
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i, i];
        return (values, v);
    }
}
