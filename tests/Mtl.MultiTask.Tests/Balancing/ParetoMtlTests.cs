// ParetoMTL: its min-norm solver against closed forms and brute force, the preference rays, both phases by hand.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Solvers;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class ParetoMtlTests
{
    private static readonly double S = Math.Sqrt(0.5);

    private static double[,] Gram(double[][] v)
    {
        var q = new double[v.Length, v.Length];
        for (int i = 0; i < v.Length; i++)
            for (int j = 0; j < v.Length; j++) q[i, j] = v[i].Zip(v[j], (a, b) => a * b).Sum();
        return q;
    }

    private static double[] Point(double[][] v, double[] c) =>
        Enumerable.Range(0, v[0].Length).Select(d => v.Select((row, i) => c[i] * row[d]).Sum()).ToArray();

    [Fact]
    public void Min_norm_of_two_vectors_matches_the_closed_form()
    {
        // v₁ = (3,1), v₂ = (−1,2): c₁ = (v₂·v₂ − v₁·v₂)/‖v₁ − v₂‖² = (5 + 1)/17, point (7, 28)/17, ‖·‖² = 833/289.
        var c = new double[2];
        double norm = ParetoMinNorm.Solve(Gram([[3, 1], [-1, 2]]), c);
        AssertClose([6 / 17.0, 11 / 17.0], c, 1e-12);
        Assert.Equal(833 / 289.0, norm, 12);
        // v₂ = (2,1) lies beyond v₁ = (1,0) (v₁·v₂ ≥ v₁·v₁): the answer is v₁ alone.
        Assert.Equal(1, ParetoMinNorm.Solve(Gram([[1, 0], [2, 1]]), c), 12);
        AssertClose([1, 0], c, 1e-12);
    }

    [Fact]
    public void Min_norm_handles_the_origin_inside_identical_and_zero_vectors()
    {
        var c = new double[3];
        Assert.Equal(0, ParetoMinNorm.Solve(Gram([[1, 0], [-1, 1], [-1, -1]]), c), 12);   // (½, ¼, ¼) gives 0
        Assert.All(Point([[1, 0], [-1, 1], [-1, -1]], c), x => Assert.Equal(0, x, 10));
        Assert.Equal(5, ParetoMinNorm.Solve(Gram([[1, 2], [1, 2], [1, 2]]), c), 12);
        Assert.Equal(1, c.Sum(), 12);
        Assert.Equal(0, ParetoMinNorm.Solve(Gram([[0, 0], [0, 0], [0, 0]]), c));
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], c);
    }

    [Fact]
    public void Min_norm_is_optimal_on_random_dependent_sets_and_beats_brute_force_sampling()
    {
        var g = new Generator(11);
        for (int trial = 0; trial < 40; trial++)
        {
            int m = 2 + trial % 6, dim = 1 + trial % 4;              // often more vectors than dimensions
            double shift = trial % 3 == 0 ? 0 : 1.5;                 // some sets contain the origin, some do not
            var v = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, dim).Select(_ => g.NextNormal() + shift).ToArray()).ToArray();
            var q = Gram(v);
            var c = new double[m];
            double norm = ParetoMinNorm.Solve(q, c);
            Assert.All(c, x => Assert.True(x >= 0));
            Assert.Equal(1, c.Sum(), 12);
            var x = Point(v, c);
            Assert.Equal(x.Sum(a => a * a), norm, 10);
            // Optimality (a certificate): x·vⱼ ≥ ‖x‖² for every j.
            double scale = Enumerable.Range(0, m).Max(i => q[i, i]);
            for (int j = 0; j < m; j++) Assert.True(x.Zip(v[j], (a, b) => a * b).Sum() >= norm - 1e-10 * scale, $"trial {trial}: KKT fails at {j}");
            // Brute force: no random simplex point does better.
            var w = new double[m];
            var p = new double[dim];
            for (int sample = 0; sample < 400; sample++)
            {
                double sum = 0;
                for (int i = 0; i < m; i++) sum += w[i] = -Math.Log(1 - g.NextDouble());
                Array.Clear(p);
                for (int i = 0; i < m; i++)
                    for (int d = 0; d < dim; d++) p[d] += w[i] / sum * v[i][d];
                double pp = 0;
                foreach (var a in p) pp += a * a;
                Assert.True(pp >= norm - 1e-12 * scale, $"trial {trial}: a sampled point beats the solver");
            }
        }
    }

    [Fact]
    public void Preference_rays_are_the_papers_evenly_spread_unit_rays()
    {
        var five = ParetoMtl.PreferenceRays(2, 5);
        for (int j = 0; j < 5; j++)
        {
            double theta = j * Math.PI / 8;
            AssertClose([Math.Cos(theta), Math.Sin(theta)], five[j], 1e-15);
            Assert.Equal(five[j][0], five[4 - j][1]);   // mirror-symmetric, bit for bit
        }
        Assert.Equal([S, S], ParetoMtl.PreferenceRays(2, 3)[1]);
        var three = ParetoMtl.PreferenceRays(3, 5);   // three tasks: the axes and the centre
        Assert.Equal(4, three.Length);
        Assert.Equal([0.0, 1, 0], three[1]);
        AssertClose(Enumerable.Repeat(1 / Math.Sqrt(3), 3).ToArray(), three[3]);
    }

    [Fact]
    public void Phase_one_descends_on_the_violated_constraint_by_hand()
    {
        // Rays (1,0), (√½,√½), (0,1); this run follows the centre. L = (3,1): L̂ = (3,1)/√10.
        // Constraint j = 0: (1 − √½, −√½)·L̂ = (0.8787 − 0.7071)/√10 > 0, violated; j = 2: (−√½, 1 − √½)·L̂ < 0.
        // One active constraint: c = 1, w = u₀ − u₁ = (1 − √½, −√½) — less weight on task 2, so task 2's loss may rise
        // and task 1's fall, moving L towards the centre ray. G = I, so d = w.
        var s = (ParetoMtl)StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3 });
        var r = s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([3.0, 1.0]));
        AssertClose([1 - S, -S], r.Weights!, 1e-12);
        AssertClose([1 - S, -S], r.Combined, 1e-12);
        Assert.False(s.Constrained);
        Assert.Equal([S, S], s.Preference);
    }

    [Fact]
    public void Phase_two_is_the_constrained_min_norm_by_hand()
    {
        // As above but past the warm-up. Vectors: g₁ = (1,0), g₂ = (0,1), a₀ᵀG = (α, −β) with α = 1 − √½, β = √½.
        // The min-norm point lies on the edge from g₂ to a₀: t = (1+β)/(α² + (1+β)²) = (1+√½)/3 (the denominator is
        // (1−s)² + (1+s)² = 2 + 2s² = 3), point x = (αt, 1 − (1+β)t) = (1/6, (1.5 − 2√½)/3), so w = x (G = I).
        // The rescaling K/Σ|w| = 2·3/(2 − 2√½) turns it into w = (1 + √½, 1 − √½).
        var s = StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3, WarmupEpochs = 0 });
        var r = s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([3.0, 1.0]));
        AssertClose([1 + S, 1 - S], r.Weights!, 1e-12);
        AssertClose([1 + S, 1 - S], r.Combined, 1e-12);
        // Losses on the preferred ray: no constraint is active, so it is MGDA scaled to Σ|w| = K: for (2,0) and (0,1)
        // the min-norm weights are (1/5, 4/5), w = (0.4, 1.6), d = (0.8, 1.6).
        var mgda = StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3, WarmupEpochs = 0 })
            .Combine(GradientMatrix.FromRows([[2, 0], [0, 1]]), new StrategyStep([1.0, 1.0]));
        AssertClose([0.4, 1.6], mgda.Weights!, 1e-12);
        AssertClose([0.8, 1.6], mgda.Combined, 1e-12);
    }

    [Fact]
    public void The_first_phase_ends_at_the_first_feasible_call_or_after_its_epochs()
    {
        var s = (ParetoMtl)StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3, WarmupEpochs = 2 });
        var g = GradientMatrix.FromRows([[1, 0], [0, 1]]);
        s.Combine(g, new StrategyStep([3.0, 1.0], 1, 0));
        Assert.False(s.Constrained);
        s.Combine(g, new StrategyStep([1.0, 1.0], 2, 0));   // on the centre ray: feasible
        Assert.True(s.Constrained);
        var r = s.Combine(g, new StrategyStep([3.0, 1.0], 3, 0));   // infeasible again, but the second phase stays
        AssertClose([1 + S, 1 - S], r.Weights!, 1e-12);
        var late = (ParetoMtl)StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3, WarmupEpochs = 2 });
        late.Combine(g, new StrategyStep([3.0, 1.0], 1, 2));   // epoch 2: no first phase left
        Assert.True(late.Constrained);
        var restored = StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 3 });
        restored.LoadStateDict(late.StateDict());
        Assert.True(((ParetoMtl)restored).Constrained);
    }

    [Fact]
    public void Both_phases_descend_on_what_they_target_for_random_problems()
    {
        // Phase 1: d·∇Gⱼ ≥ ‖d‖² > 0 for every violated constraint j; phase 2: d·gₖ ≥ 0 for every task and d·∇Gⱼ ≥ 0 for
        // every active constraint (the min-norm point's optimality, kept by the positive rescaling).
        var rays = ParetoMtl.PreferenceRays(2, 5);
        for (int trial = 0; trial < 30; trial++)
        {
            var g = RandomMatrix(2, 6, (ulong)trial + 100);
            var losses = RandomLosses(2, (ulong)trial);
            int index = trial % 5;
            foreach (int warmup in new[] { 2, 0 })
            {
                var s = (ParetoMtl)StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { PreferenceIndex = index, WarmupEpochs = warmup });
                var r = s.Combine(g, new StrategyStep(losses));
                double norm = losses.Sum(l => l * l);
                var active = Enumerable.Range(0, 5).Where(j => j != index
                    && ((rays[j][0] - rays[index][0]) * losses[0] + (rays[j][1] - rays[index][1]) * losses[1]) / Math.Sqrt(norm) > 0).ToList();
                double dd = r.Combined.Sum(x => x * x);
                foreach (int j in active)
                {
                    var grad = new double[6];
                    g.WeightedSum([rays[j][0] - rays[index][0], rays[j][1] - rays[index][1]], grad);
                    double dot = r.Combined.Zip(grad, (a, b) => a * b).Sum();
                    if (!s.Constrained) Assert.True(dot >= dd * (1 - 1e-9), $"trial {trial}: phase 1 misses constraint {j}");
                    else Assert.True(dot >= -1e-9, $"trial {trial}: phase 2 ascends constraint {j}");
                }
                if (s.Constrained)
                    for (int k = 0; k < 2; k++)
                        Assert.True(r.Combined.Zip(g.Row(k).ToArray(), (a, b) => a * b).Sum() >= -1e-9, $"trial {trial}: phase 2 ascends task {k}");
                else Assert.NotEmpty(active);
            }
        }
    }

    [Fact]
    public void Bad_preferences_are_refused_naming_the_strategy()
    {
        var g = GradientMatrix.FromRows([[1, 0], [0, 1]]);
        var step = new StrategyStep([1.0, 1.0]);
        var e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { PreferenceIndex = 5 }).Combine(g, step));
        Assert.Contains("'paretomtl': PreferenceIndex 5 is outside the 5 rays", e.Message);
        e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Preferences = 4 }).Combine(g, step));
        Assert.Contains("no central one", e.Message);
        e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Rays = [[1, 0], [1, 1]] }).Combine(g, step));
        Assert.Contains("PreferenceIndex must be given", e.Message);
        e = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("paretomtl", new ParetoMtlOptions { Rays = [[1, 0], [1, -1]], PreferenceIndex = 0 }).Combine(g, step));
        Assert.Contains("ray 1 must be finite, non-negative", e.Message);
    }
}
