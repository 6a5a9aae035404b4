// Hand-computed cases and paper properties of cagrad, nashmtl, fairgrad, upgrad and dualproj.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.SolverTestUtil;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class SolverStrategyTests
{
    private static double[] Mean(double[][] rows) => Combine(rows, Enumerable.Repeat(1.0 / rows.Length, rows.Length).ToArray());

    // ---- CAGrad ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Cagrad_with_c_zero_is_the_mean_gradient()
    {
        var rows = RandomRows(3, 5, 11);
        var r = StrategyTestUtil.Combine("cagrad", rows, options: new CaGradOptions { C = 0 });
        AssertClose(Mean(rows), r.Combined, 1e-12);
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], r.Weights!, 1e-12);
    }

    [Fact]
    public void Cagrad_on_two_orthogonal_unit_gradients()
    {
        // g₁ = (1, 0), g₂ = (0, 1): g₀ = (½, ½), ‖g₀‖ = 1/√2, √φ = c/√2. By symmetry w = (½, ½), so g_w = g₀ and
        // d = g₀ + (√φ/‖g_w‖)·g_w = (1 + c)·g₀; Rescale 1 divides by 1 + c². With c = 0.4: d = (1.4/1.16)·(½, ½) =
        // (0.603448…, 0.603448…), weights (½ + 0.4·½)/1.16 = 0.603448… each.
        var r = StrategyTestUtil.Combine("cagrad", [[1, 0], [0, 1]]);
        AssertClose([0.7 / 1.16, 0.7 / 1.16], r.Combined, 1e-9);
        AssertClose([0.7 / 1.16, 0.7 / 1.16], r.Weights!, 1e-9);
    }

    [Fact]
    public void Cagrad_moves_towards_the_task_the_mean_serves_least()
    {
        // g₁ = (1, 0), g₂ = (0, 2): g₀ = (½, 1), ‖g₀‖² = 5/4, √φ = 0.4·√5/2 = 1/√5. g₁·g₀ = ½ < g₂·g₀ = 2. With
        // w = (t, 1−t): F(t) = 2 − 1.5t + (1/√5)·√(t² + 4(1−t)²) is convex with F'(1) = −1.5 + 1/√5 < 0, so w = (1, 0),
        // g_w = g₁, ‖g_w‖ = 1 and d = g₀ + (1/√5)·g₁ = (½ + 1/√5, 1); weights (½ + 1/√5, ½).
        double a = 0.5 + 1 / Math.Sqrt(5);
        var none = StrategyTestUtil.Combine("cagrad", [[1, 0], [0, 2]], options: new CaGradOptions { Rescale = 0 });
        AssertClose([a, 1], none.Combined, 1e-9);
        AssertClose([a, 0.5], none.Weights!, 1e-9);
        var one = StrategyTestUtil.Combine("cagrad", [[1, 0], [0, 2]]);
        AssertClose([a / 1.16, 1 / 1.16], one.Combined, 1e-9);
        var two = StrategyTestUtil.Combine("cagrad", [[1, 0], [0, 2]], options: new CaGradOptions { Rescale = 2 });
        AssertClose([a / 1.4, 1 / 1.4], two.Combined, 1e-9);
    }

    [Fact]
    public void Cagrad_maximises_the_worst_task_improvement_within_the_ball()
    {
        // The paper's primal: d = argmax minᵢ gᵢᵀd over ‖d − g₀‖ ≤ c‖g₀‖ (Rescale 0). d lies in the ball, beats g₀
        // (which is in the ball) and no sampled point of the ball beats it.
        foreach (double c in new[] { 0.2, 0.5, 0.9 })
            for (ulong seed = 1; seed <= 10; seed++)
            {
                var rows = RandomRows(3, 4, seed);
                var d = StrategyTestUtil.Combine("cagrad", rows, options: new CaGradOptions { C = c, Rescale = 0 }).Combined;
                var g0 = Mean(rows);
                double radius = c * Norm(g0);
                double Worst(double[] x) => rows.Min(g => Dot(g, x));
                Assert.True(Norm(d.Zip(g0, (x, y) => x - y).ToArray()) <= radius * (1 + 1e-9), $"c={c} seed {seed}: outside the ball");
                Assert.True(Worst(d) >= Worst(g0) - 1e-12, $"c={c} seed {seed}: worse than the mean");
                var gen = new Generator(seed + 77);
                for (int trial = 0; trial < 200; trial++)
                {
                    var dir = new double[4];
                    gen.FillNormal(dir, 0, 1);
                    double len = radius * Math.Pow(gen.NextDouble(), 0.25) / Norm(dir);
                    var x = g0.Select((v, i) => v + len * dir[i]).ToArray();
                    Assert.True(Worst(x) <= Worst(d) + 1e-9 * (1 + Math.Abs(Worst(d))), $"c={c} seed {seed}: a better point in the ball");
                }
            }
    }

    [Fact]
    public void Cagrad_options_are_checked()
    {
        var e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("cagrad", new CaGradOptions { Rescale = 3 }));
        Assert.Contains("'cagrad'", e.Message);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("cagrad", new CaGradOptions { C = -0.1 }));
    }

    // ---- Nash-MTL --------------------------------------------------------------------------------------------------

    [Fact]
    public void Nashmtl_two_unit_gradients_at_sixty_degrees()
    {
        // G = [[1, ½], [½, 1]]: by symmetry α₁ = α₂ = a with 1.5a = 1/a, a = 1/√1.5; each task gets gₖᵀd = √1.5 = 1/a.
        // ‖d‖ = a·‖g₁ + g₂‖ = a·√3 = √2 > MaxNorm 1, so the default clips α to a/√2 = 1/√3 each.
        double[][] rows = [[1, 0], [0.5, Math.Sqrt(3) / 2]];
        var exact = StrategyTestUtil.Combine("nashmtl", rows, options: new NashMtlOptions { MaxNorm = 0 });
        AssertClose([1 / Math.Sqrt(1.5), 1 / Math.Sqrt(1.5)], exact.Weights!, 1e-9);
        foreach (var g in rows) Assert.Equal(Math.Sqrt(1.5), Dot(g, exact.Combined), 9);
        var clipped = StrategyTestUtil.Combine("nashmtl", rows);
        AssertClose([1 / Math.Sqrt(3), 1 / Math.Sqrt(3)], clipped.Weights!, 1e-9);
        Assert.Equal(1, Norm(clipped.Combined), 9);
    }

    [Fact]
    public void Nashmtl_orthogonal_gradients_get_inverse_norms()
    {
        // αₖ = 1/‖gₖ‖: g₁ = (2, 0), g₂ = (0, ½) → α = (½, 2), d = (1, 1).
        var r = StrategyTestUtil.Combine("nashmtl", [[2, 0], [0, 0.5]], options: new NashMtlOptions { MaxNorm = 0 });
        AssertClose([0.5, 2], r.Weights!, 1e-9);
        AssertClose([1, 1], r.Combined, 1e-9);
    }

    [Fact]
    public void Nashmtl_weights_solve_the_bargaining_equation_on_random_tasks()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var rows = RandomRows(3, 6, seed);
            var r = StrategyTestUtil.Combine("nashmtl", rows, options: new NashMtlOptions { MaxNorm = 0 });
            for (int k = 0; k < 3; k++) Assert.Equal(1, Dot(rows[k], r.Combined) * r.Weights![k], 8);   // gₖᵀd = 1/αₖ
        }
    }

    [Fact]
    public void Nashmtl_reuses_its_weights_between_updates_and_zero_gradients_get_weight_zero()
    {
        var s = StrategyRegistry.Create("nashmtl", new NashMtlOptions { UpdateWeightsEvery = 2, MaxNorm = 0 });
        var first = s.Combine(GradientMatrix.FromRows([[2, 0], [0, 0.5]]), new StrategyStep([1.0, 1.0]));
        var second = s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([1.0, 1.0], 2));
        var third = s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([1.0, 1.0], 3));
        AssertClose([0.5, 2], first.Weights!, 1e-9);
        AssertClose([0.5, 2], second.Weights!, 1e-9);   // step 2 reuses step 1's α
        AssertClose([1, 1], third.Weights!, 1e-9);      // step 3 solves again
        var zero = StrategyTestUtil.Combine("nashmtl", [[2, 0, 0], [0, 0, 0], [0, 0, 1]], options: new NashMtlOptions { MaxNorm = 0 });
        AssertClose([0.5, 0, 1], zero.Weights!, 1e-6);
    }

    // ---- FairGrad --------------------------------------------------------------------------------------------------

    [Fact]
    public void Fairgrad_with_alpha_one_weights_exactly_as_nashmtl_without_clipping()
    {
        // α = 1 turns G·w = w^(−1/α) into Nash-MTL's G·α = 1/α (the paper's proportional fairness).
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var rows = RandomRows(3, 7, seed);
            var fair = StrategyTestUtil.Combine("fairgrad", rows);
            var nash = StrategyTestUtil.Combine("nashmtl", rows, options: new NashMtlOptions { MaxNorm = 0 });
            AssertClose(nash.Weights!, fair.Weights!, 1e-12);
        }
    }

    [Fact]
    public void Fairgrad_orthogonal_hand_case_and_random_equation()
    {
        // Orthogonal g₁ = (2, 0), g₂ = (0, ½), α = 2: ‖gₖ‖²wₖ = wₖ^(−1/2) ⇒ wₖ = ‖gₖ‖^(−4/3) = (2^(−4/3), 2^(4/3)).
        var r = StrategyTestUtil.Combine("fairgrad", [[2, 0], [0, 0.5]], options: new FairGradOptions { Alpha = 2 });
        AssertClose([Math.Pow(2, -4 / 3.0), Math.Pow(2, 4 / 3.0)], r.Weights!, 1e-9);
        AssertClose([2 * Math.Pow(2, -4 / 3.0), 0.5 * Math.Pow(2, 4 / 3.0)], r.Combined, 1e-9);
        // Every task's improvement gₖᵀd equals wₖ^(−1/α).
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var rows = RandomRows(3, 6, seed);
            var f = StrategyTestUtil.Combine("fairgrad", rows, options: new FairGradOptions { Alpha = 3 });
            for (int k = 0; k < 3; k++) Assert.Equal(Math.Pow(f.Weights![k], -1 / 3.0), Dot(rows[k], f.Combined), 8);
        }
        var clipped = StrategyTestUtil.Combine("fairgrad", [[2, 0], [0, 0.5]], options: new FairGradOptions { Alpha = 2, MaxNorm = 0.5 });
        Assert.Equal(0.5, Norm(clipped.Combined), 9);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("fairgrad", new FairGradOptions { Alpha = 0 }));
    }

    // ---- UPGrad and DualProj ---------------------------------------------------------------------------------------

    [Fact]
    public void Upgrad_and_dualproj_leave_non_conflicting_gradients_at_their_mean()
    {
        double[][] rows = [[1, 0, 0], [1, 1, 0], [0, 1, 1]];   // pairwise inner products ≥ 0
        foreach (var name in new[] { "upgrad", "dualproj" })
        {
            var r = StrategyTestUtil.Combine(name, rows);
            AssertClose(Mean(rows), r.Combined, 1e-12, name);
            AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], r.Weights!, 1e-12, name);
        }
    }

    [Fact]
    public void Upgrad_two_conflicting_gradients_hand_case()
    {
        // g₁ = (1, 0), g₂ = (−1, 1); dual cone {x₁ ≥ 0, x₂ ≥ x₁}. π(g₁/2) = (¼, ¼) = ½g₁ + ¼g₂ (nearest point of
        // x₂ = x₁); π(g₂/2) = (0, ½) = ½g₁ + ½g₂ (nearest point of x₁ = 0). Sum: d = (¼, ¾), w = (1, ¾).
        var r = StrategyTestUtil.Combine("upgrad", [[1, 0], [-1, 1]]);
        AssertClose([0.25, 0.75], r.Combined, 1e-12);
        AssertClose([1, 0.75], r.Weights!, 1e-12);
    }

    [Fact]
    public void Dualproj_projects_a_conflicting_mean_hand_case()
    {
        // g₁ = (1, 0), g₂ = (−2, 1): mean (−½, ½) conflicts with g₁. Dual cone {x₁ ≥ 0, x₂ ≥ 2x₁}; the nearest point is
        // (0, ½) = 1·g₁ + ½·g₂, so w = (1, ½).
        var r = StrategyTestUtil.Combine("dualproj", [[1, 0], [-2, 1]]);
        AssertClose([0, 0.5], r.Combined, 1e-12);
        AssertClose([1, 0.5], r.Weights!, 1e-12);
    }

    [Fact]
    public void Upgrad_and_dualproj_conflict_with_no_task_on_random_three_task_cases()
    {
        foreach (var name in new[] { "upgrad", "dualproj" })
            for (ulong seed = 1; seed <= 40; seed++)
            {
                var rows = RandomRows(3, 4, seed);
                var r = StrategyTestUtil.Combine(name, rows);
                foreach (var g in rows)
                    Assert.True(Dot(g, r.Combined) >= -1e-12 * Norm(g) * Norm(r.Combined), $"{name} seed {seed}: gᵀd = {Dot(g, r.Combined)}");
                Assert.All(r.Weights!, w => Assert.True(w >= 1 / 3.0 - 1e-12, $"{name} seed {seed}: weight {w} below the mean's"));
            }
    }

    [Fact]
    public void Dual_cone_preference_and_regularisation_options()
    {
        double[][] rows = [[1, 0, 0], [1, 1, 0], [0, 1, 1]];
        var first = StrategyTestUtil.Combine("upgrad", rows, options: new DualConeOptions { Preference = [1, 0, 0] });
        AssertClose([1, 0, 0], first.Combined, 1e-12);   // only g₁, already conflict-free
        // torchjd's ε = 1e-4 on the normalised Gramian moves the conflicting hand case slightly.
        var reg = StrategyTestUtil.Combine("dualproj", [[1, 0], [-2, 1]], options: new DualConeOptions { RegEps = 1e-4 });
        Assert.InRange(reg.Weights![0], 0.99, 1.0);
        var e = Assert.Throws<ArgumentException>(() => StrategyTestUtil.Combine("upgrad", rows, options: new DualConeOptions { Preference = [1, 1] }));
        Assert.Contains("2 preferences given for 3 tasks", e.Message);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("dualproj", new DualConeOptions { Preference = [1, -1] }));
    }
}
