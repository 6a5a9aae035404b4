// The min-norm point in the convex hull of K task gradients (MGDA), from their K×K Gramian by Frank-Wolfe.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Finds α on the simplex (αₖ ≥ 0, Σαₖ = 1) minimising ‖Σₖ αₖ·gₖ‖² = αᵀMα, where M is the Gramian of the gradients,
/// as in Sener &amp; Koltun (2018), "Multi-Task Learning as Multi-Objective Optimization": the closed form for two
/// points (their Algorithm 1) and, for three or more, Frank-Wolfe from the centre of the simplex with that closed form
/// as the exact line search (their Algorithm 2). Only the K×K Gramian is read.
/// </summary>
public static class MinNormSolver
{
    /// <summary>Iteration cap of the official implementation (MultiObjectiveOptimization, <c>MAX_ITER = 250</c>).</summary>
    public const int DefaultMaxIterations = 250;

    /// <summary>
    /// Stopping threshold on the duality gap relative to the largest squared gradient norm (see <see cref="Solve"/>).
    /// The official code stops on ‖Δα‖₁ &lt; 1e-5 instead, a criterion that small away steps can meet far from the
    /// optimum; the gap bounds the error of the property MGDA promises.
    /// </summary>
    public const double DefaultTolerance = 1e-8;

    /// <summary>
    /// The weight γ ∈ [0, 1] on the first point minimising ‖γ·a + (1 − γ)·b‖², from aa = a·a, ab = a·b, bb = b·b:
    /// γ = 1 when a·b ≥ a·a (a lies in b's "shadow"), γ = 0 when a·b ≥ b·b, otherwise
    /// γ = (b − a)·b / ‖a − b‖² = (bb − ab) / (aa + bb − 2ab). When a = b every γ is optimal and ½ is returned (the paper
    /// is silent; ½ keeps two equal tasks' weights equal).
    /// </summary>
    public static double TwoPoint(double aa, double ab, double bb)
    {
        double d = aa + bb - 2 * ab;   // ‖a − b‖²
        if (!(d > 0)) return 0.5;
        if (ab >= aa) return 1;
        if (ab >= bb) return 0;
        return (bb - ab) / d;
    }

    /// <summary>
    /// Writes the min-norm coefficients α for the K×K Gramian <paramref name="gram"/> into <paramref name="alpha"/>
    /// (length K) and returns the number of Frank-Wolfe iterations taken (0 for K ≤ 2, solved in closed form).
    /// Frank-Wolfe starts at α = 1/K (the paper's Algorithm 2); each iteration finds the vertex t = argminᵣ (Mα)ᵣ and
    /// moves towards it with the exact line search of <see cref="TwoPoint"/>. It stops when the duality gap
    /// αᵀMα − (Mα)ₜ is at most <paramref name="tolerance"/>·maxₖ Mₖₖ, or after <paramref name="maxIterations"/>
    /// iterations. The gap bounds both the excess of ‖θ‖² over its minimum and how far any gₖ·θ may fall below ‖θ‖²
    /// (at the optimum gₖ·θ ≥ ‖θ‖² ≥ 0 for every k).
    /// <para>
    /// Plain Frank-Wolfe never sets a coefficient back to 0 and zig-zags at rate O(1/t): after 250 iterations its
    /// objective can still be several percent above the optimum. Unless
    /// <paramref name="plainFrankWolfe"/> is set (the paper's iteration exactly), two standard corrections are made:
    /// an iteration may step away from the worst vertex in use, a = argmax over αᵣ &gt; 0 of (Mα)ᵣ, when that gap is the
    /// larger (Wolfe's away steps, with the same exact line search clipped where αₐ reaches 0); and every K iterations,
    /// and at the cap, the min-norm point of the affine hull of the vertices in use is solved exactly (a K+1 linear
    /// system) and taken when it lies in the simplex and meets the tolerance (at the cap: when it improves the gap) —
    /// the correction step of Wolfe's min-norm-point algorithm, which makes the answer exact once the support is found.
    /// </para>
    /// </summary>
    public static int Solve(double[,] gram, Span<double> alpha, int maxIterations = DefaultMaxIterations, double tolerance = DefaultTolerance,
        bool plainFrankWolfe = false)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int k = gram.GetLength(0);
        if (gram.GetLength(1) != k) throw new ArgumentException($"MinNormSolver: the Gramian is {k}×{gram.GetLength(1)}, not square");
        if (alpha.Length != k) throw new ArgumentException($"MinNormSolver: room for {alpha.Length} coefficients, {k} points");
        if (k == 0) throw new ArgumentException("MinNormSolver: no points given");
        if (maxIterations < 0) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "MinNormSolver: the iteration cap must be 0 or more");
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "MinNormSolver: the tolerance must be 0 or more");
        if (k == 1)
        {
            alpha[0] = 1;
            return 0;
        }
        if (k == 2)
        {
            double gamma = TwoPoint(gram[0, 0], gram[0, 1], gram[1, 1]);
            alpha[0] = gamma;
            alpha[1] = 1 - gamma;
            return 0;
        }

        alpha.Fill(1.0 / k);
        var m = new double[k];   // Mα: m[r] = gᵣ·θ for θ = Σ αₖgₖ
        double scale = 0;
        for (int r = 0; r < k; r++) scale = Math.Max(scale, gram[r, r]);
        double stop = tolerance * scale;
        int it = 0;
        while (true)
        {
            var (gap, thetaTheta, t, a) = Evaluate(gram, alpha, m);
            if (!(gap > stop)) break;   // no vertex improves on θ by more than the tolerance
            bool atCap = it >= maxIterations;
            if (!plainFrankWolfe && ((it > 0 && it % k == 0) || atCap) && TryAffineMinimum(gram, alpha, atCap ? gap : stop)) break;
            if (atCap) break;
            it++;
            if (!plainFrankWolfe && m[a] - thetaTheta > gap && alpha[a] < 1)
            {
                // Away step: α ← (1 + η)α − η·eₐ, θ moves along θ − gₐ; exact line search, clipped at αₐ = 0.
                double d2 = thetaTheta - 2 * m[a] + gram[a, a];   // ‖θ − gₐ‖²
                double limit = alpha[a] / (1 - alpha[a]);
                double eta = d2 > 0 ? Math.Min((m[a] - thetaTheta) / d2, limit) : limit;
                for (int r = 0; r < k; r++) alpha[r] = r == a && eta >= limit ? 0 : (1 + eta) * alpha[r] - (r == a ? eta : 0);
            }
            else
            {
                // Toward step (the paper's): the best point between θ (weight γ) and the vertex gₜ (weight 1 − γ).
                double gamma = TwoPoint(thetaTheta, m[t], gram[t, t]);
                for (int r = 0; r < k; r++) alpha[r] = gamma * alpha[r] + (r == t ? 1 - gamma : 0);
            }
        }
        return it;
    }

    // Fills m = Mα; returns the Frank-Wolfe gap αᵀMα − minᵣ mᵣ, αᵀMα, the toward vertex and the away vertex.
    private static (double Gap, double ThetaTheta, int Toward, int Away) Evaluate(double[,] gram, ReadOnlySpan<double> alpha, Span<double> m)
    {
        int k = alpha.Length, t = 0, a = -1;
        double thetaTheta = 0;
        for (int r = 0; r < k; r++)
        {
            double s = 0;
            for (int c = 0; c < k; c++) s += gram[r, c] * alpha[c];
            m[r] = s;
            thetaTheta += alpha[r] * s;
            if (s < m[t]) t = r;
            if (alpha[r] > 0 && (a < 0 || s > m[a])) a = r;
        }
        return (thetaTheta - m[t], thetaTheta, t, a);
    }

    // The min-norm point of the affine hull of the vertices in use (αᵣ > 0): min αᵀMα over Σα = 1, α zero elsewhere,
    // from the KKT system [M_S 1; 1ᵀ 0]·[α; μ] = [0; 1]. Written into alpha (returning true) when it is in the simplex
    // and its Frank-Wolfe gap is at most maxGap.
    private static bool TryAffineMinimum(double[,] gram, Span<double> alpha, double maxGap)
    {
        int k = alpha.Length, s = 0;
        Span<int> support = stackalloc int[k];
        for (int r = 0; r < k; r++)
            if (alpha[r] > 0) support[s++] = r;
        var kkt = new double[s + 1, s + 1];
        var rhs = new double[s + 1];
        var sol = new double[s + 1];
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < s; j++) kkt[i, j] = gram[support[i], support[j]];
            kkt[i, s] = kkt[s, i] = 1;
        }
        rhs[s] = 1;
        SmallLinearSolver.Solve(kkt, rhs, sol);
        var candidate = new double[k];
        for (int i = 0; i < s; i++)
        {
            if (!(sol[i] >= 0)) return false;   // the affine minimum leaves the simplex (or is not finite)
            candidate[support[i]] = sol[i];
        }
        double sum = candidate.Sum();
        if (!(sum > 0)) return false;
        for (int r = 0; r < k; r++) candidate[r] /= sum;
        var (gap, _, _, _) = Evaluate(gram, candidate, new double[k]);
        if (!(gap <= maxGap)) return false;
        candidate.CopyTo(alpha);
        return true;
    }
}
