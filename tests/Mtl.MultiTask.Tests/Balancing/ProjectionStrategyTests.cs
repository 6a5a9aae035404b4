// Hand-computed cases and paper properties of MGDA / MGDA-UB, GradDrop and GradVac, and their registry entries.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class ProjectionStrategyTests
{
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    [Fact]
    public void The_gradient_strategies_are_registered_with_their_capabilities()
    {
        // name, supports representation, stochastic, returns weights
        (string Name, bool Rep, bool Stochastic, bool Linear)[] expected =
        [
            ("pcgrad", true, true, true), ("mgda", true, false, true), ("mgda-ub", true, false, true), ("graddrop", true, true, false),
            ("gradvac", false, true, true), ("imtl", true, false, true), ("alignedmtl", true, false, true), ("dbmtl", false, false, false),
            ("config", false, false, true),
        ];
        var g = RandomMatrix(2, 5, 9);
        foreach (var (name, rep, stochastic, linear) in expected)
        {
            var info = StrategyRegistry.Get(name);
            Assert.Equal(StrategyFamily.GradientCombination, info.Family);
            var s = StrategyRegistry.Create(name);
            Assert.True(s.NeedsGradients, name);
            Assert.Equal(rep, s.SupportsRepresentation);
            Assert.Equal(stochastic, s.IsStochastic);
            Assert.Equal(linear, s.Combine(g, new StrategyStep([1.0, 2.0])).Weights is not null);
        }
    }

    // ---- MGDA ----

    [Fact]
    public void Mgda_on_orthogonal_unit_gradients_takes_their_midpoint()
    {
        // g1 = (1,0), g2 = (0,1): γ = ((g2 − g1)·g2)/‖g1 − g2‖² = 1/2 → (½, ½), weights (½, ½).
        var r = Combine("mgda", [[1, 0], [0, 1]]);
        AssertClose([0.5, 0.5], r.Combined);
        AssertClose([0.5, 0.5], r.Weights!);
    }

    [Fact]
    public void Mgda_returns_the_shorter_gradient_when_it_shadows_the_other()
    {
        // g1 = (1,0), g2 = (2,0): g1·g2 = 2 ≥ ‖g1‖² = 1, so the min-norm point of the segment is g1 itself.
        var r = Combine("mgda", [[1, 0], [2, 0]]);
        AssertClose([1, 0], r.Combined);
        AssertClose([1, 0], r.Weights!);
    }

    [Fact]
    public void Mgda_two_task_closed_form_and_its_normalisations()
    {
        double[][] g = [[2, 0], [0, 1]];
        // none: γ = ((g2 − g1)·g2)/‖g1 − g2‖² = (1 − 0)/5 = 1/5 → 0.2·(2,0) + 0.8·(0,1) = (0.4, 0.8).
        var none = Combine("mgda", g);
        AssertClose([0.4, 0.8], none.Combined);
        AssertClose([0.2, 0.8], none.Weights!);
        // l2: ĝ = (1,0), (0,1) → α = (½, ½); weights α/‖g‖ = (¼, ½), combined (½, ½).
        var l2 = Combine("mgda", g, options: new MgdaOptions { Normalization = "l2" });
        AssertClose([0.5, 0.5], l2.Combined);
        AssertClose([0.25, 0.5], l2.Weights!);
        // loss, L = (4, ½): ĝ1 = (½, 0), ĝ2 = (0, 2); γ = (4 − 0)/(¼ + 4) = 16/17;
        // combined = (16/17)(½,0) + (1/17)(0,2) = (8/17, 2/17); weights = (16/17 / 4, 1/17 / ½) = (4/17, 2/17).
        var loss = Combine("mgda", g, [4, 0.5], new MgdaOptions { Normalization = "loss" });
        AssertClose([8 / 17.0, 2 / 17.0], loss.Combined);
        AssertClose([4 / 17.0, 2 / 17.0], loss.Weights!);
        // loss+, L = (2, 1): n = (2·2, 1·1) = (4, 1); ĝ1 = (½, 0), ĝ2 = (0, 1); γ = 1/(¼ + 1) = 0.8;
        // combined = (0.4, 0.2); weights = (0.8/4, 0.2/1) = (0.2, 0.2).
        var lossPlus = Combine("mgda", g, [2, 1], new MgdaOptions { Normalization = "loss+" });
        AssertClose([0.4, 0.2], lossPlus.Combined);
        AssertClose([0.2, 0.2], lossPlus.Weights!);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("l2")]
    [InlineData("loss")]
    [InlineData("loss+")]
    public void Mgda_never_increases_a_task_loss_to_first_order(string normalization)
    {
        // At the min-norm point θ of the ĝₖ = gₖ/nₖ: ĝₖ·θ ≥ ‖θ‖² for every k (the optimality condition), hence
        // gₖ·θ ≥ nₖ‖θ‖² ≥ 0. Checked to the solver's default accuracy, relative to the largest ‖ĝₖ‖², on random
        // 3- to 5-task cases: odd seeds in general position, even seeds with the last task in conflict with the first,
        // and every fifth seed Pareto-stationary (0 in the hull: θ must vanish).
        for (ulong seed = 1; seed <= 40; seed++)
        {
            int k = 3 + (int)(seed % 3);
            var g = RandomMatrix(k, 6, seed);
            var last = g.Row(k - 1);
            if (seed % 5 == 0)
            {
                last.Clear();   // g_K = −0.7·Σ others: 0 = g_K + 0.7·Σ others is in the hull
                for (int t = 0; t < k - 1; t++)
                    for (int j = 0; j < last.Length; j++) last[j] -= 0.7 * g.Row(t)[j];
            }
            else if (seed % 2 == 0)
                for (int j = 0; j < last.Length; j++) last[j] = 0.3 * last[j] - g.Row(0)[j];
            var losses = RandomLosses(k, seed);
            var r = StrategyRegistry.Create("mgda", new MgdaOptions { Normalization = normalization }).Combine(g, new StrategyStep(losses));
            Assert.All(r.Weights!, w => Assert.True(w >= 0));
            var n = new double[k];
            double scale = 0;
            for (int t = 0; t < k; t++)
            {
                n[t] = normalization switch { "l2" => g.Norm(t), "loss" => losses[t], "loss+" => losses[t] * g.Norm(t), _ => 1 };
                scale = Math.Max(scale, g.Norm(t) * g.Norm(t) / (n[t] * n[t]));
            }
            double theta2 = Dot(r.Combined, r.Combined);
            for (int t = 0; t < k; t++)
            {
                double d = Dot(g.Row(t), r.Combined) / n[t];   // ĝₜ·θ
                Assert.True(d >= theta2 - 1e-9 * scale, $"seed {seed}, {normalization}: task {t}: ĝ·θ = {d} < ‖θ‖² = {theta2}");
                Assert.True(d >= -1e-9 * scale, $"seed {seed}, {normalization}: task {t} conflicts with the MGDA direction ({d})");
            }
            if (seed % 5 == 0) Assert.True(theta2 <= 1e-9 * scale, $"seed {seed}: Pareto-stationary, but ‖θ‖² = {theta2}");
        }
    }

    [Fact]
    public void Mgda_with_tight_tolerance_meets_the_optimality_condition_exactly()
    {
        // Three tasks where 0 is not in the hull: gₖ·θ ≥ ‖θ‖² for every k, equality on the support.
        var g = GradientMatrix.FromRows([[3, 1, 0], [0, 2, 1], [1, -1, 2]]);
        var r = StrategyRegistry.Create("mgda", new MgdaOptions { MaxIterations = 100_000, Tolerance = 0 }).Combine(g, new StrategyStep([1.0, 1.0, 1.0]));
        double theta2 = Dot(r.Combined, r.Combined);
        for (int t = 0; t < 3; t++)
        {
            double d = Dot(g.Row(t), r.Combined);
            Assert.True(d >= theta2 * (1 - 1e-6), $"task {t}: {d} < ‖θ‖² = {theta2}");
            if (r.Weights![t] > 1e-3) Assert.Equal(theta2, d, 5);
        }
    }

    [Fact]
    public void Mgda_ub_is_mgda_on_whatever_rows_it_is_given_and_bad_options_are_refused()
    {
        var g = RandomMatrix(3, 10, 12);
        var step = new StrategyStep([1.0, 2.0, 3.0]);
        var a = StrategyRegistry.Create("mgda").Combine(g, step);
        var b = StrategyRegistry.Create("mgda-ub").Combine(g, step);
        Assert.Equal(a.Combined, b.Combined);
        Assert.Equal("mgda-ub", StrategyRegistry.Create("mgda-ub").Name);
        var e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("mgda", new MgdaOptions { Normalization = "L2" }));
        Assert.Contains("none, l2, loss, loss+", e.Message);
        var neg = Assert.Throws<ArgumentException>(() => Combine("mgda-ub", [[1, 0], [0, 1]], [1, -0.5], new MgdaOptions { Normalization = "loss" }));
        Assert.Contains("'mgda-ub'", neg.Message);
    }

    // ---- GradDrop ----

    [Fact]
    public void Graddrop_keeps_everything_when_all_gradients_share_each_sign()
    {
        // Coordinate 0 all positive (purity 1: keep positives for every U < 1), coordinate 1 all negative (purity 0:
        // keep negatives), coordinate 2 all zero: the result is the plain sum, whatever the seed. No weights.
        double[][] g = [[1, -2, 0], [3, -0.5, 0], [0.25, -1, 0]];
        for (ulong seed = 0; seed < 5; seed++)
        {
            var r = Combine("graddrop", g, options: new GradDropOptions { Seed = seed });
            AssertClose([4.25, -3.5, 0], r.Combined);
            Assert.Null(r.Weights);
        }
    }

    [Fact]
    public void Graddrop_keeps_the_positive_side_with_probability_equal_to_the_purity()
    {
        // Every coordinate: g1 = 1, g2 = −3 → purity ½(1 + (1 − 3)/(1 + 3)) = ¼. Kept: 1 (prob ¼) or −3 (prob ¾).
        const int p = 4000;
        var g = new GradientMatrix(2, p);
        g.Row(0).Fill(1);
        g.Row(1).Fill(-3);
        var r = StrategyRegistry.Create("graddrop").Combine(g, new StrategyStep([1.0, 1.0]));
        int positive = r.Combined.Count(v => v == 1);
        Assert.Equal(p, positive + r.Combined.Count(v => v == -3));
        Assert.InRange(positive, 1000 - 110, 1000 + 110);   // mean p/4, std √(p·¼·¾) ≈ 27: ±4σ
        // Leak ½: a dropped −3 still counts −1.5, a dropped 1 counts ½ → 1 − 1.5 = −0.5 or −3 + 0.5 = −2.5.
        var leaky = StrategyRegistry.Create("graddrop", new GradDropOptions { Leak = 0.5 }).Combine(g, new StrategyStep([1.0, 1.0]));
        Assert.All(leaky.Combined, v => Assert.True(v == -0.5 || v == -2.5));
        // Leak 1 is the plain sum.
        var all = StrategyRegistry.Create("graddrop", new GradDropOptions { Leak = 1 }).Combine(g, new StrategyStep([1.0, 1.0]));
        Assert.All(all.Combined, v => Assert.Equal(-2, v));
    }

    [Fact]
    public void Graddrop_draws_depend_on_the_seed_only_and_bad_leaks_are_refused()
    {
        var g = RandomMatrix(3, 200, 4);
        var step = new StrategyStep([1.0, 1.0, 1.0]);
        var a = StrategyRegistry.Create("graddrop", new GradDropOptions { Seed = 7 }).Combine(g, step);
        var b = StrategyRegistry.Create("graddrop", new GradDropOptions { Seed = 7 }).Combine(g, step);
        var c = StrategyRegistry.Create("graddrop", new GradDropOptions { Seed = 8 }).Combine(g, step);
        Assert.Equal(a.Combined, b.Combined);
        Assert.NotEqual(a.Combined, c.Combined);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("graddrop", new GradDropOptions { Leak = 1.5 }));
    }

    // ---- GradVac ----

    [Fact]
    public void Gradvac_starts_as_pcgrad_because_the_targets_start_at_zero()
    {
        // φ̂ = 0 and cos < 0: the coefficient ‖gᵢ'‖(0 − φ·1)/(‖gⱼ‖·1) = −gᵢ'·gⱼ/‖gⱼ‖² is PCGrad's projection.
        // g1 = (1,0), g2 = (−1,1): g1' = g1 + ½g2, g2' = g2 + g1 → weights (2, 1.5), combined (½, 3/2).
        var r = Combine("gradvac", [[1, 0], [-1, 1]]);
        AssertClose([0.5, 1.5], r.Combined);
        AssertClose([2, 1.5], r.Weights!);
        AssertClose(Combine("pcgrad", [[1, 0], [-1, 1]]).Combined, r.Combined);
    }

    [Fact]
    public void Gradvac_lifts_the_cosine_to_the_target_and_updates_the_targets()
    {
        var s = (GradVac)StrategyRegistry.Create("gradvac", new GradVacOptions { Beta = 1 });
        // Step 1: g1 = (1,0), g2 = (1,1), cos = 1/√2 > 0 = φ̂: no projection; with β = 1 both targets become 1/√2.
        var first = s.Combine(GradientMatrix.FromRows([[1, 0], [1, 1]]), new StrategyStep([1.0, 1.0]));
        AssertClose([2, 1], first.Combined);
        AssertClose([1, 1], first.Weights!);
        Assert.Equal(1 / Math.Sqrt(2), s.Targets[0, 1], 15);
        Assert.Equal(1 / Math.Sqrt(2), s.Targets[1, 0], 15);
        // Step 2: g1 = (1,0), g2 = (0,1), φ = 0 < φ̂ = 1/√2:
        // w = ‖g1‖(φ̂√(1 − 0) − 0)/(‖g2‖√(1 − φ̂²)) = (1/√2)/(1/√2) = 1 → g1' = (1,1), cos(g1', g2) = 1/√2 = φ̂;
        // symmetrically g2' = (1,1). Sum (2,2), weights (2,2); the targets follow φ = 0 (β = 1).
        var second = s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([1.0, 1.0]));
        AssertClose([2, 2], second.Combined);
        AssertClose([2, 2], second.Weights!);
        Assert.Equal(0, s.Targets[0, 1], 15);
    }

    [Fact]
    public void Gradvac_projected_gradients_meet_their_targets_exactly()
    {
        // Default β = 0.01. Warm the targets up on agreeing gradients, then give conflicting ones: for two tasks the
        // weights are (1 + w₂₁, 1 + w₁₂), so g1' = g1 + w₁₂·g2 and g2' = g2 + w₂₁·g1 must have cosines φ̂₁₂ and φ̂₂₁.
        var s = (GradVac)StrategyRegistry.Create("gradvac");
        for (int i = 0; i < 20; i++) s.Combine(GradientMatrix.FromRows([[1, 0.2, 0], [0.8, 1, 0.1]]), new StrategyStep([1.0, 1.0]));
        var targets = s.Targets;
        Assert.True(targets[0, 1] > 0.1 && targets[0, 1] < 0.9);
        double[] g1 = [2, -1, 0.5], g2 = [-1, 1.5, 1];
        var r = s.Combine(GradientMatrix.FromRows([g1, g2]), new StrategyStep([1.0, 1.0]));
        double w12 = r.Weights![1] - 1, w21 = r.Weights[0] - 1;
        var g1p = g1.Zip(g2, (a, b) => a + w12 * b).ToArray();
        var g2p = g2.Zip(g1, (a, b) => a + w21 * b).ToArray();
        Assert.Equal(targets[0, 1], Cosine(g1p, g2), 12);
        Assert.Equal(targets[1, 0], Cosine(g2p, g1), 12);
    }
}
