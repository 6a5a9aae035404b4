// The CAGrad sub-problem: min over the simplex of g_wᵀg₀ + √φ·‖g_w‖, on the Gramian, by accelerated projected gradient.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Minimises F(w) = wᵀG·b + r·√(wᵀGw) over the probability simplex (w ≥ 0, Σw = 1), with b = 1/K and G the K×K
/// Gramian — the dual problem of CAGrad (Liu et al. 2021): with g_w = Σ wᵢgᵢ and g₀ the mean gradient, F(w) =
/// g_wᵀg₀ + r·‖g_w‖. F is convex (a linear term plus a norm). Two phases:
/// <list type="number">
/// <item>Accelerated projected gradient — FISTA (Beck &amp; Teboulle 2009) with a backtracking step 1/L, a
/// function-value restart of the momentum (O'Donoghue &amp; Candès 2015) and the sort-based Euclidean projection onto
/// the simplex — which finds the face of the simplex holding the minimiser.</item>
/// <item>An exact solve on that face S: stationarity q_S + (r/‖g_w‖)·G_SS·w_S = λ·1 with Σw_S = 1 has the closed form
/// w_S = (λu − v)/μ, u = G_SS⁻¹1, v = G_SS⁻¹q_S, a = 1ᵀu, b = 1ᵀv, e = q_Sᵀv, μ = √(b² − a(e − r²)) (= r/‖g_w‖),
/// λ = (b + μ)/a (a vertex when |S| = 1). It is accepted when w_S &gt; 0 and the KKT conditions hold off S
/// (∇Fᵢ ≥ λ); the answer is then exact to rounding.</item>
/// </list>
/// When no face solve is accepted (a singular G_SS, or a minimiser with g_w = 0, only possible when 0 lies in the
/// convex hull of the gradients) the projected-gradient iterate is returned once its residual
/// ‖w − Π(w − ∇F(w))‖∞ is at most <see cref="Tolerance"/>, or after <see cref="MaxIterations"/> steps.
/// <para>
/// The work is done on G/s with s = trace(G)/K (the minimiser does not depend on the scale: F scales by s when r
/// scales by √s), and √(wᵀGw) is smoothed to √(wᵀGw + 1e-14·s) in the first phase so that the gradient exists where
/// g_w = 0. Buffers are sized once (K); a solve allocates nothing.
/// </para>
/// </summary>
public sealed class ConflictAverseSolver
{
    private const double Smoothing = 1e-14;
    private readonly double[] _g, _q, _x, _y, _next, _grad, _gw, _sorted, _sub, _u, _v, _face;
    private readonly int[] _index;

    /// <summary>A solver for <paramref name="size"/> tasks.</summary>
    public ConflictAverseSolver(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "ConflictAverseSolver: at least one task");
        Size = size;
        _g = new double[size * size];
        _q = new double[size];
        _x = new double[size];
        _y = new double[size];
        _next = new double[size];
        _grad = new double[size];
        _gw = new double[size];
        _sorted = new double[size];
        _sub = new double[size * size];
        _u = new double[size];
        _v = new double[size];
        _face = new double[size];
        _index = new int[size];
    }

    /// <summary>K, the number of tasks.</summary>
    public int Size { get; }

    /// <summary>Stop the first phase when the projected-gradient residual (in weight units) is at most this.</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>Relative tolerance of the KKT check that accepts an exact face solve.</summary>
    public double KktTolerance { get; init; } = 1e-9;

    /// <summary>The cap on gradient steps.</summary>
    public int MaxIterations { get; init; } = 5000;

    /// <summary>Writes the minimiser of wᵀG·(1/K) + <paramref name="radius"/>·√(wᵀGw) over the simplex into <paramref name="w"/>.</summary>
    public SolveStats Solve(double[,] gram, double radius, Span<double> w)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int n = Size;
        if (gram.GetLength(0) != n || gram.GetLength(1) != n || w.Length != n)
            throw new ArgumentException($"ConflictAverseSolver: sized for {n} tasks, given G {gram.GetLength(0)}×{gram.GetLength(1)}, w {w.Length}");
        if (!(radius >= 0) || !double.IsFinite(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "ConflictAverseSolver: the radius must be finite and ≥ 0");
        double trace = 0;
        for (int i = 0; i < n; i++) trace += gram[i, i];
        double s = trace / n;
        w.Fill(1.0 / n);
        if (n == 1 || !(s > 0)) return new SolveStats(0, true);
        for (int i = 0; i < n; i++)
        {
            double qi = 0;
            for (int j = 0; j < n; j++)
            {
                _g[i * n + j] = gram[i, j] / s;
                qi += _g[i * n + j];
            }
            _q[i] = qi / n;   // (Ĝb)ᵢ = gᵢ·g₀ / s
        }
        double r = radius / Math.Sqrt(s);

        w.CopyTo(_x);
        w.CopyTo(_y);
        double fx = Value(_x, r), lipschitz = 1, momentum = 1;
        for (int it = 0; it < MaxIterations; it++)
        {
            // Backtracking step from y: next = Π(y − ∇F(y)/L) with the quadratic upper bound holding.
            double fy = ValueAndGradient(_y, r);
            double fNext;
            while (true)
            {
                for (int i = 0; i < n; i++) _next[i] = _y[i] - _grad[i] / lipschitz;
                ProjectOntoSimplex(_next);
                double lin = 0, sq = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = _next[i] - _y[i];
                    lin += _grad[i] * d;
                    sq += d * d;
                }
                fNext = Value(_next, r);
                if (fNext <= fy + lin + 0.5 * lipschitz * sq + 1e-15 * Math.Abs(fy) || lipschitz > 1e30) break;
                lipschitz *= 2;
            }

            // Momentum, restarted whenever F went up.
            if (fNext > fx)
            {
                momentum = 1;
                _next.CopyTo(_y, 0);
            }
            else
            {
                double t = 0.5 * (1 + Math.Sqrt(1 + 4 * momentum * momentum));
                double beta = (momentum - 1) / t;
                for (int i = 0; i < n; i++) _y[i] = _next[i] + beta * (_next[i] - _x[i]);
                momentum = t;
            }
            bool sameSupport = true;
            for (int i = 0; i < n; i++)
                if ((_next[i] > 0) != (_x[i] > 0)) sameSupport = false;
            _next.CopyTo(_x, 0);
            fx = fNext;
            lipschitz = Math.Max(lipschitz * 0.8, 1e-12);

            // Once the support has settled, try the exact solve on its face (cheap: K is small).
            if (sameSupport && (it < 50 || it % 10 == 0) && SolveOnFace(r, fx))
            {
                _face.CopyTo(w);
                return new SolveStats(it + 1, true);
            }
            if (Residual(_x, r) <= Tolerance)
            {
                _x.CopyTo(w);
                return new SolveStats(it + 1, true);
            }
        }
        _x.CopyTo(w);
        return new SolveStats(MaxIterations, false);
    }

    // The stationary point of F on the face S = support(_x), into _face; true when it is feasible, meets the KKT
    // conditions off S, and is no worse than the current iterate (objective fx).
    private bool SolveOnFace(double r, double fx)
    {
        int n = Size, m = 0;
        for (int i = 0; i < n; i++)
            if (_x[i] > 0) _index[m++] = i;
        Array.Clear(_face);
        if (m == 1) _face[_index[0]] = 1;
        else
        {
            if (!(r > 0)) return false;   // F is linear: its minimiser is a vertex
            var sub = _sub.AsSpan(0, m * m);
            for (int a = 0; a < m; a++)
                for (int b = 0; b <= a; b++) sub[a * m + b] = _g[_index[a] * n + _index[b]];
            if (!SmallCholesky.Factor(sub, m, 1e-12)) return false;
            var u = _u.AsSpan(0, m);
            var v = _v.AsSpan(0, m);
            for (int a = 0; a < m; a++) { u[a] = 1; v[a] = _q[_index[a]]; }
            SmallCholesky.Solve(sub, m, u);
            SmallCholesky.Solve(sub, m, v);
            double sa = 0, sb = 0, se = 0;
            for (int a = 0; a < m; a++) { sa += u[a]; sb += v[a]; se += _q[_index[a]] * v[a]; }
            double disc = sb * sb - sa * (se - r * r);
            if (!(sa > 0) || !(disc > 0)) return false;
            double mu = Math.Sqrt(disc), lambda = (sb + mu) / sa;
            for (int a = 0; a < m; a++)
            {
                double wa = (lambda * u[a] - v[a]) / mu;
                if (!(wa > 0)) return false;
                _face[_index[a]] = wa;
            }
        }
        // KKT off the face: ∇Fᵢ ≥ ∇Fⱼ (j on the face) up to the tolerance.
        double f = ValueAndGradient(_face, r);
        if (f > fx + 1e-12 * (1 + Math.Abs(fx))) return false;
        double level = 0, spread = 0;
        for (int a = 0; a < m; a++) level += _grad[_index[a]] / m;
        for (int i = 0; i < n; i++) spread = Math.Max(spread, Math.Abs(_grad[i]));
        for (int i = 0; i < n; i++)
            if (_face[i] == 0 && _grad[i] < level - KktTolerance * (1 + spread)) return false;
        return true;
    }

    // F at w (leaves Ĝw in _gw).
    private double Value(ReadOnlySpan<double> w, double r)
    {
        int n = Size;
        double lin = 0, quad = 0;
        for (int i = 0; i < n; i++)
        {
            double gw = 0;
            for (int j = 0; j < n; j++) gw += _g[i * n + j] * w[j];
            _gw[i] = gw;
            lin += _q[i] * w[i];
            quad += w[i] * gw;
        }
        return lin + r * Math.Sqrt(Math.Max(quad, 0) + Smoothing);
    }

    // F at w, and ∇F = q + r·Ĝw/√(wᵀĜw) into _grad.
    private double ValueAndGradient(ReadOnlySpan<double> w, double r)
    {
        int n = Size;
        double f = Value(w, r);
        double quad = 0;
        for (int i = 0; i < n; i++) quad += w[i] * _gw[i];
        double scale = r / Math.Sqrt(Math.Max(quad, 0) + Smoothing);
        for (int i = 0; i < n; i++) _grad[i] = _q[i] + scale * _gw[i];
        return f;
    }

    // ‖w − Π(w − ∇F(w))‖∞ (uses _next and _grad as scratch).
    private double Residual(ReadOnlySpan<double> w, double r)
    {
        int n = Size;
        ValueAndGradient(w, r);
        for (int i = 0; i < n; i++) _next[i] = w[i] - _grad[i];
        ProjectOntoSimplex(_next);
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(_next[i] - w[i]));
        return worst;
    }

    // Euclidean projection onto {w ≥ 0, Σw = 1}: wᵢ = max(vᵢ − θ, 0) with θ from the sorted values.
    private void ProjectOntoSimplex(Span<double> v)
    {
        int n = Size;
        v.CopyTo(_sorted);
        _sorted.AsSpan().Sort();
        double cumulative = 0, theta = 0;
        for (int j = 1; j <= n; j++)
        {
            double u = _sorted[n - j];   // j-th largest
            cumulative += u;
            double candidate = (cumulative - 1) / j;
            if (u - candidate > 0) theta = candidate;
        }
        for (int i = 0; i < n; i++) v[i] = Math.Max(v[i] - theta, 0);
    }
}
