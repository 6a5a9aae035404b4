// Helpers for the balancing-solver tests: random Gramians, a dense reference solve, subsets and vector checks.
namespace Mtl.MultiTask.Tests.Balancing;

internal static class SolverTestUtil
{
    /// <summary>The Gramian JJᵀ of a random K×P matrix J (normal entries, row k scaled by 1 + k/2).</summary>
    public static double[,] RandomGramian(int tasks, int size, ulong seed) => Gramian(RandomRows(tasks, size, seed));

    /// <summary>K random rows of length P.</summary>
    public static double[][] RandomRows(int tasks, int size, ulong seed)
    {
        var g = new Generator(seed);
        var rows = new double[tasks][];
        for (int k = 0; k < tasks; k++)
        {
            rows[k] = new double[size];
            g.FillNormal(rows[k], 0, 1 + 0.5 * k);
        }
        return rows;
    }

    public static double[,] Gramian(double[][] rows)
    {
        int k = rows.Length;
        var m = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                m[i, j] = Dot(rows[i], rows[j]);
        return m;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>(G·x)ᵢ.</summary>
    public static double[] Times(double[,] g, ReadOnlySpan<double> x)
    {
        int n = x.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) y[i] += g[i, j] * x[j];
        return y;
    }

    /// <summary>xᵀGx.</summary>
    public static double Quad(double[,] g, ReadOnlySpan<double> x) => Dot(x, Times(g, x));

    /// <summary>Σ wₖ·rowₖ.</summary>
    public static double[] Combine(double[][] rows, ReadOnlySpan<double> w)
    {
        var d = new double[rows[0].Length];
        for (int k = 0; k < rows.Length; k++)
            for (int j = 0; j < d.Length; j++) d[j] += w[k] * rows[k][j];
        return d;
    }

    /// <summary>Solves A·x = b by Gaussian elimination with partial pivoting; null when A is singular.</summary>
    public static double[]? DenseSolve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            if (Math.Abs(m[p, c]) < 1e-12) return null;
            for (int j = 0; j < n; j++) (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            (x[c], x[p]) = (x[p], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int j = c; j < n; j++) m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < n; j++) s -= m[r, j] * x[j];
            x[r] = s / m[r, r];
        }
        return x;
    }

    /// <summary>The index sets of every non-empty subset of {0, …, n−1}.</summary>
    public static IEnumerable<int[]> Subsets(int n)
    {
        for (int mask = 1; mask < 1 << n; mask++)
            yield return Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).ToArray();
    }

    /// <summary>The sub-matrix of <paramref name="g"/> on rows and columns <paramref name="s"/>.</summary>
    public static double[,] Sub(double[,] g, int[] s)
    {
        var m = new double[s.Length, s.Length];
        for (int a = 0; a < s.Length; a++)
            for (int b = 0; b < s.Length; b++) m[a, b] = g[s[a], s[b]];
        return m;
    }
}
