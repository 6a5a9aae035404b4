// Solves G·w = w^(−1/α) for w > 0 (Nash-MTL at α = 1, FairGrad for any α > 0) by damped Newton on a convex potential.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Finds the positive solution w of (G·w)ᵢ = wᵢ^(−1/α) for a K×K Gramian G and α &gt; 0: the α-fair allocation of
/// FairGrad (Ban &amp; Ji 2024) and, at α = 1 (G·w = 1/w), the Nash bargaining solution of Nash-MTL (Navon et al. 2022).
/// <para>
/// The equation is the stationarity condition of the strictly convex f(w) = ½wᵀGw − Σᵢ h(wᵢ) on w &gt; 0, with
/// h(w) = ln w for α = 1 and h(w) = w^(1−1/α)/(1−1/α) otherwise (h' = w^(−1/α), h concave), so damped Newton —
/// Hessian G + diag(w^(−1/α−1)/α), Armijo backtracking on f, steps kept inside w &gt; 0 — converges from any start
/// when a solution exists. It starts from the solution for orthogonal gradients, wᵢ = Gᵢᵢ^(−α/(α+1)), and stops when
/// every |(Gw)ᵢ·wᵢ^(1/α) − 1| ≤ <see cref="Tolerance"/>. It works on G/s with s = trace(G)/K and maps the answer
/// back (w = ŵ·s^(−α/(α+1))), so the result does not depend on the gradients' scale.
/// </para>
/// <para>
/// No solution exists when some non-negative combination of the gradients is zero (a zero gradient, or g₁ = −g₂):
/// f is then unbounded below and Newton's weights grow without end. When the exact solve does not converge within
/// the iteration cap, the solver therefore solves again with <see cref="Regularization"/>·I (default 1e-12) added to
/// G/s: that solution always exists, the weights of the offending rows are large (~1e6) and their combination stays
/// near zero. An all-zero G gives w = 0. Buffers are sized once (K); a solve allocates nothing.
/// </para>
/// </summary>
public sealed class AlphaFairSolver
{
    private readonly double[] _g, _h, _r, _step, _trial;

    /// <summary>A solver for <paramref name="size"/> tasks.</summary>
    public AlphaFairSolver(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "AlphaFairSolver: at least one task");
        Size = size;
        _g = new double[size * size];
        _h = new double[size * size];
        _r = new double[size];
        _step = new double[size];
        _trial = new double[size];
    }

    /// <summary>K, the number of tasks.</summary>
    public int Size { get; }

    /// <summary>Relative tolerance on each equation: |(Gw)ᵢ·wᵢ^(1/α) − 1|.</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>Ridge added to the scale-normalised Gramian for the second solve, when the exact one fails.</summary>
    public double Regularization { get; init; } = 1e-12;

    /// <summary>
    /// Writes the solution w (all positive) into <paramref name="w"/>. <paramref name="maxIterations"/> caps the Newton
    /// steps of each of the (at most two) solves; the iterate is positive whenever the cap stops it early.
    /// </summary>
    public SolveStats Solve(double[,] gram, double alpha, Span<double> w, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int n = Size;
        if (gram.GetLength(0) != n || gram.GetLength(1) != n || w.Length != n)
            throw new ArgumentException($"AlphaFairSolver: sized for {n} tasks, given G {gram.GetLength(0)}×{gram.GetLength(1)}, w {w.Length}");
        if (!(alpha > 0) || !double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "AlphaFairSolver: α must be finite and > 0");
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "AlphaFairSolver: at least one iteration");
        double trace = 0;
        for (int i = 0; i < n; i++) trace += gram[i, i];
        double s = trace / n;
        if (!(s > 0))
        {
            w.Clear();
            return new SolveStats(0, true);
        }
        var stats = Newton(gram, s, 0, alpha, w, maxIterations);
        if (!stats.Converged && Regularization > 0)
        {
            var again = Newton(gram, s, Regularization, alpha, w, maxIterations);
            stats = new SolveStats(stats.Iterations + again.Iterations, again.Converged);
        }
        double back = Math.Pow(s, -alpha / (alpha + 1));
        for (int i = 0; i < n; i++) w[i] *= back;
        return stats;
    }

    // Damped Newton on f for Ĝ = G/s + ridge·I, from the orthogonal-gradient guess; w is left in the normalised scale.
    private SolveStats Newton(double[,] gram, double s, double ridge, double alpha, Span<double> w, int maxIterations)
    {
        int n = Size;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                _g[i * n + j] = gram[i, j] / s + (i == j ? ridge : 0);
        double inv = 1 / alpha, power = alpha / (alpha + 1);
        for (int i = 0; i < n; i++) w[i] = _g[i * n + i] > 0 ? Math.Pow(_g[i * n + i], -power) : 1;
        double f = Potential(w, inv);
        for (int it = 0; it < maxIterations; it++)
        {
            // r = Ĝw − w^(−1/α) = ∇f; H = Ĝ + diag(w^(−1/α−1)/α) = ∇²f.
            double worst = 0;
            for (int i = 0; i < n; i++)
            {
                double gw = 0;
                for (int j = 0; j < n; j++) gw += _g[i * n + j] * w[j];
                double p = Math.Pow(w[i], -inv);
                _r[i] = gw - p;
                worst = Math.Max(worst, Math.Abs(gw / p - 1));
            }
            if (worst <= Tolerance) return new SolveStats(it, true);
            _g.CopyTo(_h, 0);
            for (int i = 0; i < n; i++) _h[i * n + i] += inv * Math.Pow(w[i], -inv - 1);
            if (!SmallCholesky.Factor(_h, n, 0)) return new SolveStats(it, false);   // only on overflow
            for (int i = 0; i < n; i++) _step[i] = -_r[i];
            SmallCholesky.Solve(_h, n, _step);

            // Stay inside w > 0 (at most 99% of the way to the boundary), then backtrack on f. When the Newton
            // decrement −slope = rᵀH⁻¹r is at f's rounding level the full step is taken (quadratic phase).
            double t = 1, slope = 0;
            for (int i = 0; i < n; i++)
            {
                slope += _r[i] * _step[i];
                if (_step[i] < 0) t = Math.Min(t, -0.99 * w[i] / _step[i]);
            }
            bool roundingLevel = -slope <= 1e-13 * (1 + Math.Abs(f));
            bool accepted = false;
            for (int halvings = 0; halvings < 60 && !accepted; halvings++, t *= 0.5)
            {
                for (int i = 0; i < n; i++) _trial[i] = w[i] + t * _step[i];
                double fTrial = Potential(_trial, inv);
                if (roundingLevel || fTrial <= f + 1e-4 * t * slope)
                {
                    accepted = true;
                    f = fTrial;
                }
            }
            if (!accepted) return new SolveStats(it, false);   // no descent left: as close as rounding allows
            _trial.CopyTo(w);
        }
        return new SolveStats(maxIterations, false);
    }

    // f(w) = ½wᵀĜw − Σ h(wᵢ).
    private double Potential(ReadOnlySpan<double> w, double inv)
    {
        int n = Size;
        double quad = 0, h = 0;
        for (int i = 0; i < n; i++)
        {
            double gw = 0;
            for (int j = 0; j < n; j++) gw += _g[i * n + j] * w[j];
            quad += w[i] * gw;
            h += inv == 1 ? Math.Log(w[i]) : Math.Pow(w[i], 1 - inv) / (1 - inv);
        }
        return 0.5 * quad - h;
    }
}
