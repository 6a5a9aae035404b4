// Small non-negative quadratic programs, min ½xᵀQx + cᵀx subject to x ≥ 0, by a Lawson–Hanson active-set method.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Solves min ½·xᵀQx + cᵀx subject to x ≥ 0 for a symmetric positive semi-definite K×K matrix Q (a Gramian), by the
/// active-set method of Lawson and Hanson (1974, "Solving Least Squares Problems", NNLS) written on Q and c instead of
/// on a data matrix: a passive set P of free variables grows by the variable whose gradient (Qx + c)ⱼ is most
/// negative; the unconstrained minimiser of the problem restricted to P (Q_PP·z = −c_P, by Cholesky) replaces x when
/// it is positive, otherwise x moves towards it until a variable reaches 0 and leaves P. The answer meets the KKT
/// conditions x ≥ 0, Qx + c ≥ 0, xᵢ·(Qx + c)ᵢ = 0 up to a tolerance relative to the scale of Q and c.
/// <para>
/// When Q = AᵀA and c = −Aᵀb (every use in Mtl: c = Q·u for the dual-cone projection) it is exactly NNLS and the
/// passive columns stay linearly independent, so singular Gramians (K &gt; P, repeated gradients) are fine. A
/// variable whose addition would make Q_PP numerically singular is left at 0. Buffers are sized once (K); a solve
/// allocates nothing.
/// </para>
/// </summary>
public sealed class NonNegativeQp
{
    private readonly double[] _sub, _z, _grad;
    private readonly int[] _index;
    private readonly bool[] _passive, _rejected;

    /// <summary>A solver for problems of <paramref name="size"/> variables.</summary>
    public NonNegativeQp(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "NonNegativeQp: at least one variable");
        Size = size;
        _sub = new double[size * size];
        _z = new double[size];
        _grad = new double[size];
        _index = new int[size];
        _passive = new bool[size];
        _rejected = new bool[size];
    }

    /// <summary>K, the number of variables.</summary>
    public int Size { get; }

    /// <summary>Relative tolerance on the KKT conditions (scaled by the largest |Qᵢᵢ| and |cᵢ|).</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>
    /// Writes the minimiser into <paramref name="x"/> (length K). <paramref name="q"/> must be symmetric positive
    /// semi-definite and the problem bounded below (always so when c lies in the range of Q).
    /// </summary>
    public SolveStats Solve(double[,] q, ReadOnlySpan<double> c, Span<double> x)
    {
        ArgumentNullException.ThrowIfNull(q);
        int n = Size;
        if (q.GetLength(0) != n || q.GetLength(1) != n || c.Length != n || x.Length != n)
            throw new ArgumentException($"NonNegativeQp: sized for {n} variables, given Q {q.GetLength(0)}×{q.GetLength(1)}, c {c.Length}, x {x.Length}");
        double scale = 0;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Max(Math.Abs(q[i, i]), Math.Abs(c[i])));
        x.Clear();
        Array.Clear(_passive);
        Array.Clear(_rejected);
        if (!(scale > 0)) return new SolveStats(0, true);
        double tol = Tolerance * scale;
        int maxOuter = 3 * n + 10;
        for (int outer = 0; outer < maxOuter; outer++)
        {
            // The entering variable: the most negative gradient among the variables held at 0.
            Gradient(q, c, x);
            int enter = -1;
            double most = -tol;
            for (int i = 0; i < n; i++)
                if (!_passive[i] && !_rejected[i] && _grad[i] < most) { most = _grad[i]; enter = i; }
            if (enter < 0) return new SolveStats(outer, true);
            _passive[enter] = true;
            for (int inner = 0; ; inner++)
            {
                int m = SolvePassive(q, c);
                if (m < 0 || (inner == 0 && !(_z[enter] > 0)))
                {
                    // Q_PP numerically singular, or rounding made the entering variable non-positive: keep it at 0.
                    _passive[enter] = false;
                    _rejected[enter] = true;
                    break;
                }
                bool positive = true;
                for (int i = 0; i < n; i++)
                    if (_passive[i] && !(_z[i] > 0)) { positive = false; break; }
                if (positive)
                {
                    for (int i = 0; i < n; i++) x[i] = _passive[i] ? _z[i] : 0;
                    break;
                }
                // Move from x towards z until the first passive variable reaches 0, and release those that did.
                double step = 1;
                int blocking = -1;
                for (int i = 0; i < n; i++)
                    if (_passive[i] && !(_z[i] > 0))
                    {
                        double t = x[i] / (x[i] - _z[i]);
                        if (t < step) { step = t; blocking = i; }
                    }
                for (int i = 0; i < n; i++)
                {
                    if (!_passive[i]) continue;
                    x[i] += step * (_z[i] - x[i]);
                    if (i == blocking || x[i] <= 0)
                    {
                        x[i] = 0;
                        _passive[i] = false;
                    }
                }
                if (inner > n) break;   // cannot happen in exact arithmetic: every pass releases a variable
            }
        }
        return new SolveStats(maxOuter, false);
    }

    // _grad = Qx + c.
    private void Gradient(double[,] q, ReadOnlySpan<double> c, ReadOnlySpan<double> x)
    {
        int n = Size;
        for (int i = 0; i < n; i++)
        {
            double s = c[i];
            for (int j = 0; j < n; j++) s += q[i, j] * x[j];
            _grad[i] = s;
        }
    }

    // _z = the minimiser over the passive set (Q_PP z_P = −c_P, z = 0 elsewhere); the passive count, or −1 when singular.
    private int SolvePassive(double[,] q, ReadOnlySpan<double> c)
    {
        int n = Size, m = 0;
        for (int i = 0; i < n; i++)
            if (_passive[i]) _index[m++] = i;
        var sub = _sub.AsSpan(0, m * m);
        for (int a = 0; a < m; a++)
            for (int b = 0; b <= a; b++)
                sub[a * m + b] = q[_index[a], _index[b]];
        if (!SmallCholesky.Factor(sub, m)) return -1;
        Span<double> rhs = _grad.AsSpan(0, m);   // _grad is free until the next Gradient call
        for (int a = 0; a < m; a++) rhs[a] = -c[_index[a]];
        SmallCholesky.Solve(sub, m, rhs);
        Array.Clear(_z);
        for (int a = 0; a < m; a++) _z[_index[a]] = rhs[a];
        return m;
    }
}
