// The balancing solvers against brute force and closed forms: NNQP, dual-cone projection, α-fair equation, CAGrad's dual.
using Mtl.MultiTask.Balancing.Solvers;
using static Mtl.MultiTask.Tests.Balancing.SolverTestUtil;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class SolverTests
{
    // ---- Non-negative QP -------------------------------------------------------------------------------------------

    // Brute force: for every subset S, x_S = −Q_SS⁻¹c_S (0 elsewhere); the KKT point (x ≥ 0, Qx + c ≥ 0 off S) is the
    // minimiser; among several (PSD Q) the objective decides.
    private static double[] NnqpByEnumeration(double[,] q, double[] c)
    {
        int n = c.Length;
        double[]? best = new double[n];   // x = 0 is the candidate for S = ∅
        double bestValue = Objective(q, c, best);
        bool zeroIsKkt = c.All(x => x >= -1e-12);
        if (zeroIsKkt) return best;
        best = null;
        bestValue = double.PositiveInfinity;
        foreach (var s in Subsets(n))
        {
            var xs = DenseSolve(Sub(q, s), s.Select(i => -c[i]).ToArray());
            if (xs is null || xs.Any(v => v < -1e-12)) continue;
            var x = new double[n];
            for (int a = 0; a < s.Length; a++) x[s[a]] = Math.Max(xs[a], 0);
            var grad = Times(q, x);
            bool kkt = true;
            for (int i = 0; i < n; i++) if (!s.Contains(i) && grad[i] + c[i] < -1e-9) kkt = false;
            double value = Objective(q, c, x);
            if (kkt && value < bestValue) { best = x; bestValue = value; }
        }
        return best ?? throw new InvalidOperationException("no KKT point found");
    }

    private static double Objective(double[,] q, double[] c, double[] x) => 0.5 * Quad(q, x) + Dot(c, x);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Nnqp_matches_enumeration_of_active_sets_on_random_positive_definite_problems(int k)
    {
        for (ulong seed = 1; seed <= 40; seed++)
        {
            var q = RandomGramian(k, k + 3, seed);
            var g = new Generator(seed * 7919);
            var c = Enumerable.Range(0, k).Select(_ => g.NextNormal() * 3).ToArray();
            var x = new double[k];
            var stats = new NonNegativeQp(k).Solve(q, c, x);
            Assert.True(stats.Converged, $"seed {seed}");
            AssertClose(NnqpByEnumeration(q, c), x, 1e-9, $"K={k} seed {seed}");
        }
    }

    [Fact]
    public void Nnqp_handles_singular_gramians_when_the_linear_term_is_in_their_range()
    {
        // Four gradients in 2-D (rank 2), c = Q·u as in the dual-cone projection: optimal values agree with brute force.
        for (ulong seed = 1; seed <= 30; seed++)
        {
            var q = RandomGramian(4, 2, seed);
            var g = new Generator(seed + 100);
            var u = Enumerable.Range(0, 4).Select(_ => g.NextDouble()).ToArray();
            var c = Times(q, u);
            var x = new double[4];
            Assert.True(new NonNegativeQp(4).Solve(q, c, x).Converged);
            Assert.All(x, v => Assert.True(v >= 0));
            var expected = NnqpByEnumeration(q, c);
            Assert.Equal(Objective(q, c, expected), Objective(q, c, x), 9);
            var grad = Times(q, x);
            for (int i = 0; i < 4; i++) Assert.True(grad[i] + c[i] >= -1e-9, $"seed {seed}: KKT gradient {grad[i] + c[i]}");
        }
    }

    [Fact]
    public void Nnqp_hand_case_and_zero_problem()
    {
        // min ½(x₁² + x₂²) − x₁ + x₂: unconstrained (1, −1); with x ≥ 0 the answer is (1, 0).
        var x = new double[2];
        new NonNegativeQp(2).Solve(new double[,] { { 1, 0 }, { 0, 1 } }, [-1, 1], x);
        AssertClose([1, 0], x);
        new NonNegativeQp(2).Solve(new double[2, 2], [0, 0], x);
        AssertClose([0, 0], x);
        Assert.Throws<ArgumentException>(() => new NonNegativeQp(2).Solve(new double[3, 3], [0, 0], x));
    }

    // ---- Dual-cone projection --------------------------------------------------------------------------------------

    [Fact]
    public void Dual_cone_projection_of_a_conflicting_gradient_hand_case()
    {
        // g₁ = (1, 0), g₂ = (−1, 1); the dual cone is {x₁ ≥ 0, x₂ ≥ x₁}. g₁ conflicts with g₂ (g₁·g₂ = −1); its
        // projection is the nearest point of the line x₂ = x₁: (½, ½) = 1·g₁ + ½·g₂, so v = (1, ½) for u = (1, 0).
        double[][] rows = [[1, 0], [-1, 1]];
        var v = new double[2];
        new DualConeProjector(2).Project(Gramian(rows), [1, 0], v);
        AssertClose([1, 0.5], v);
        AssertClose([0.5, 0.5], Combine(rows, v));
    }

    [Fact]
    public void Dual_cone_projection_conflicts_with_no_row_keeps_v_above_u_and_is_the_nearest_such_point()
    {
        for (ulong seed = 1; seed <= 30; seed++)
        {
            var rows = RandomRows(3, 5, seed);
            var gram = Gramian(rows);
            var g = new Generator(seed + 5);
            var u = Enumerable.Range(0, 3).Select(_ => g.NextDouble()).ToArray();
            var v = new double[3];
            new DualConeProjector(3).Project(gram, u, v);
            var d = Combine(rows, v);
            foreach (var row in rows) Assert.True(Dot(row, d) >= -1e-10 * Norm(row) * Norm(d), $"seed {seed}: conflict {Dot(row, d)}");
            for (int i = 0; i < 3; i++) Assert.True(v[i] >= u[i] - 1e-12);
            // Nearest: no point of the cone along random directions from d is closer to Jᵀu (local optimality check).
            var target = Combine(rows, u);
            double dist = Norm(d.Zip(target, (a, b) => a - b).ToArray());
            for (int trial = 0; trial < 50; trial++)
            {
                var other = d.Select(x => x + 0.05 * g.NextNormal()).ToArray();
                if (rows.Any(r => Dot(r, other) < 0)) continue;
                Assert.True(Norm(other.Zip(target, (a, b) => a - b).ToArray()) >= dist - 1e-12, $"seed {seed}: a closer point in the cone");
            }
        }
    }

    [Fact]
    public void Dual_cone_projection_leaves_a_non_conflicting_vector_alone()
    {
        double[][] rows = [[1, 0, 0], [1, 1, 0], [0, 1, 1]];   // pairwise inner products ≥ 0
        var v = new double[3];
        new DualConeProjector(3).Project(Gramian(rows), [0.2, 0.3, 0.5], v);
        AssertClose([0.2, 0.3, 0.5], v, 1e-15);
    }

    // ---- α-fair equation G·w = w^(−1/α) ----------------------------------------------------------------------------

    private static double WorstResidual(double[,] gram, double alpha, double[] w)
    {
        var gw = Times(gram, w);
        return gw.Select((x, i) => Math.Abs(x * Math.Pow(w[i], 1 / alpha) - 1)).Max();
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    [InlineData(20.0)]
    public void Alpha_fair_solution_satisfies_the_equation_to_1e_8_within_20_newton_steps(double alpha)
    {
        foreach (int k in new[] { 1, 2, 3, 5, 8 })
            for (ulong seed = 1; seed <= 10; seed++)
            {
                var gram = RandomGramian(k, 12, seed);
                var w = new double[k];
                var stats = new AlphaFairSolver(k).Solve(gram, alpha, w);
                Assert.True(stats.Converged && stats.Iterations <= 20, $"K={k} seed {seed}: {stats}");
                Assert.All(w, x => Assert.True(x > 0));
                Assert.True(WorstResidual(gram, alpha, w) < 1e-8, $"K={k} seed {seed}: residual {WorstResidual(gram, alpha, w)}");
            }
    }

    [Fact]
    public void Alpha_fair_closed_forms_orthogonal_and_symmetric()
    {
        // Orthogonal gradients of norms 2, 0.5, 4: Gₖₖwₖ = wₖ^(−1/α) ⇒ wₖ = ‖gₖ‖^(−2α/(α+1)); α = 1: 1/‖gₖ‖ (Nash-MTL).
        var orth = new double[,] { { 4, 0, 0 }, { 0, 0.25, 0 }, { 0, 0, 16 } };
        var w = new double[3];
        new AlphaFairSolver(3).Solve(orth, 1.0, w);
        AssertClose([0.5, 2, 0.25], w, 1e-9);
        new AlphaFairSolver(3).Solve(orth, 2.0, w);
        AssertClose([Math.Pow(2, -4 / 3.0), Math.Pow(0.5, -4 / 3.0), Math.Pow(4, -4 / 3.0)], w, 1e-9);
        // Two unit gradients at 60° (G = [[1, ½], [½, 1]]): by symmetry w₁ = w₂ = a, 1.5a = a^(−1/α) ⇒ a = 1.5^(−α/(α+1)).
        var sym = new double[,] { { 1, 0.5 }, { 0.5, 1 } };
        var w2 = new double[2];
        new AlphaFairSolver(2).Solve(sym, 1.0, w2);
        AssertClose([1 / Math.Sqrt(1.5), 1 / Math.Sqrt(1.5)], w2, 1e-9);
        new AlphaFairSolver(2).Solve(sym, 3.0, w2);
        AssertClose([Math.Pow(1.5, -0.75), Math.Pow(1.5, -0.75)], w2, 1e-9);
    }

    [Fact]
    public void Alpha_fair_solution_scales_as_the_equation_says()
    {
        // G → c·G gives w → c^(−α/(α+1))·w.
        var gram = RandomGramian(3, 6, 9);
        var scaled = new double[3, 3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) scaled[i, j] = 1e-6 * gram[i, j];
        var w = new double[3];
        var ws = new double[3];
        new AlphaFairSolver(3).Solve(gram, 2.0, w);
        new AlphaFairSolver(3).Solve(scaled, 2.0, ws);
        AssertClose(w.Select(x => x * Math.Pow(1e-6, -2 / 3.0)).ToArray(), ws, 1e-9);
    }

    [Fact]
    public void Alpha_fair_degenerate_gramians_give_finite_positive_weights()
    {
        // g₂ = −g₁: no solution exists (f is unbounded below); the exact solve runs to its cap, the ridge solve keeps w
        // finite (≈ 1/√(1e-12·s)) and the combination ≈ 0.
        double[][] opposite = [[1, 2], [-1, -2]];
        var w = new double[2];
        var stats = new AlphaFairSolver(2).Solve(Gramian(opposite), 1.0, w, maxIterations: 20);
        Assert.Equal(40, stats.Iterations);
        Assert.All(w, x => Assert.True(x > 0 && double.IsFinite(x)));
        Assert.True(Norm(Combine(opposite, w)) < 1e-3, $"combination {Norm(Combine(opposite, w))}");
        // A zero gradient among others: the others' weights are unaffected.
        var withZero = new double[,] { { 4, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } };
        var w3 = new double[3];
        new AlphaFairSolver(3).Solve(withZero, 1.0, w3);
        Assert.Equal(0.5, w3[0], 6);
        Assert.Equal(1.0, w3[2], 6);
        Assert.True(double.IsFinite(w3[1]) && w3[1] > 0);
        // All zero: zero weights.
        new AlphaFairSolver(2).Solve(new double[2, 2], 1.0, w);
        AssertClose([0, 0], w);
    }

    // ---- CAGrad's dual: min over the simplex of wᵀG·b + r·√(wᵀGw) ----------------------------------------------------

    private static double CagradObjective(double[,] gram, double r, double[] w)
    {
        int k = w.Length;
        var b = Enumerable.Repeat(1.0 / k, k).ToArray();
        return Dot(w, Times(gram, b)) + r * Math.Sqrt(Math.Max(Quad(gram, w), 0));
    }

    // Brute force: the minimiser lies in the relative interior of some face S of the simplex (a vertex when |S| = 1).
    // On the affine hull of S, stationarity q_S + (r/s)·G_SS·w_S = λ·1 with s = ‖g_w‖ and Σw = 1 has the closed form
    // w_S = (λu − v)/μ, u = G_SS⁻¹1, v = G_SS⁻¹q_S, a = 1ᵀu, b = 1ᵀv, e = q_Sᵀv, μ = √(b² − a(e − r²)) = r/s,
    // λ = (b + μ)/a. Every feasible candidate is evaluated and the smallest objective wins.
    private static double[] CagradByEnumeration(double[,] gram, double r)
    {
        int k = gram.GetLength(0);
        var q = Times(gram, Enumerable.Repeat(1.0 / k, k).ToArray());
        double[]? best = null;
        double bestValue = double.PositiveInfinity;
        foreach (var s in Subsets(k))
        {
            var w = new double[k];
            if (s.Length == 1) w[s[0]] = 1;
            else
            {
                var sub = Sub(gram, s);
                var u = DenseSolve(sub, Enumerable.Repeat(1.0, s.Length).ToArray());
                var v = DenseSolve(sub, s.Select(i => q[i]).ToArray());
                if (u is null || v is null) continue;
                double a = u.Sum(), bb = v.Sum(), e = Dot(s.Select(i => q[i]).ToArray(), v);
                double disc = bb * bb - a * (e - r * r);
                if (!(disc > 0) || !(a > 0)) continue;
                double mu = Math.Sqrt(disc), lambda = (bb + mu) / a;
                bool inside = true;
                for (int t = 0; t < s.Length; t++)
                {
                    w[s[t]] = (lambda * u[t] - v[t]) / mu;
                    if (!(w[s[t]] > 0)) inside = false;
                }
                if (!inside) continue;
            }
            double value = CagradObjective(gram, r, w);
            if (value < bestValue) { best = w; bestValue = value; }
        }
        return best!;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Cagrad_solver_matches_enumeration_of_faces(int k)
    {
        int worst = 0;
        foreach (double c in new[] { 0.1, 0.4, 0.9, 2.0 })
            for (ulong seed = 1; seed <= 15; seed++)
            {
                var gram = RandomGramian(k, k + 2, seed);
                double g0 = Math.Sqrt(Times(gram, Enumerable.Repeat(1.0 / k, k).ToArray()).Sum() / k);
                double r = c * g0;
                var w = new double[k];
                var stats = new ConflictAverseSolver(k).Solve(gram, r, w);
                worst = Math.Max(worst, stats.Iterations);
                Assert.True(stats.Converged, $"K={k} c={c} seed {seed}: {stats}");
                Assert.Equal(1, w.Sum(), 12);
                Assert.All(w, x => Assert.True(x >= 0));
                var expected = CagradByEnumeration(gram, r);
                double scale = gram[0, 0] + 1;
                Assert.True(CagradObjective(gram, r, w) <= CagradObjective(gram, r, expected) + 1e-12 * scale,
                    $"K={k} c={c} seed {seed}: {CagradObjective(gram, r, w)} vs {CagradObjective(gram, r, expected)}");
                AssertClose(expected, w, 1e-6, $"K={k} c={c} seed {seed}");
            }
        Assert.True(worst < 5000, $"slowest solve took {worst} iterations");
    }

    [Fact]
    public void Cagrad_solver_closed_forms_for_two_tasks()
    {
        // Two orthogonal unit gradients: by symmetry w = (½, ½) (F(½,½) = ½ + r/√2 < F(1,0) = ½ + r).
        var w = new double[2];
        new ConflictAverseSolver(2).Solve(new double[,] { { 1, 0 }, { 0, 1 } }, 0.3, w);
        AssertClose([0.5, 0.5], w, 1e-9);
        // G = diag(1, 4), r = √0.2: with w = (t, 1−t), F(t) = 2 − 1.5t + r·√(t² + 4(1−t)²), F'(1) = −1.5 + r < 0 and F
        // is convex, so the minimiser is the vertex t = 1 (all weight on the task that gains least from g₀).
        new ConflictAverseSolver(2).Solve(new double[,] { { 1, 0 }, { 0, 4 } }, Math.Sqrt(0.2), w);
        AssertClose([1, 0], w, 1e-9);
        // r = 0: F is linear, the minimiser is the vertex with the smallest gᵢ·g₀.
        new ConflictAverseSolver(2).Solve(new double[,] { { 1, 0 }, { 0, 4 } }, 0, w);
        AssertClose([1, 0], w, 1e-9);
    }
}
