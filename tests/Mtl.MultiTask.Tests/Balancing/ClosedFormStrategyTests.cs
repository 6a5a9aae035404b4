// Hand-computed cases and paper properties of IMTL-G, Aligned-MTL, ConFIG and DB-MTL.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class ClosedFormStrategyTests
{
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    // ---- IMTL-G ----

    [Fact]
    public void Imtl_on_orthogonal_gradients_of_different_norms_gives_equal_projections()
    {
        // g1 = (1,0), g2 = (0,2): D = g1 − g2 = (1,−2), U = u1 − u2 = (1,−1); DUᵀ = 3, g1Uᵀ = 1 → w2 = 1/3, w1 = 2/3.
        // g = (2/3, 2/3): its projections on u1 = (1,0) and u2 = (0,1) are both 2/3.
        var r = Combine("imtl", [[1, 0], [0, 2]]);
        AssertClose([2 / 3.0, 1 / 3.0], r.Weights!);
        AssertClose([2 / 3.0, 2 / 3.0], r.Combined);
    }

    [Fact]
    public void Imtl_projections_on_all_unit_gradients_are_equal_and_weights_sum_to_one()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            int k = 2 + (int)(seed % 4);
            var g = RandomMatrix(k, 8, seed);
            var r = StrategyRegistry.Create("imtl").Combine(g, new StrategyStep(RandomLosses(k, seed)));
            Assert.Equal(1, r.Weights!.Sum(), 9);
            double first = Dot(r.Combined, g.Row(0)) / g.Norm(0);
            for (int t = 1; t < k; t++)
                Assert.Equal(first, Dot(r.Combined, g.Row(t)) / g.Norm(t), 8);
        }
    }

    [Fact]
    public void Imtl_degenerate_inputs_give_finite_symmetric_weights()
    {
        // Equal gradients: every w with Σw = 1 works; the minimum-norm choice is w = 1/K.
        var eq = (Imtl)StrategyRegistry.Create("imtl");
        var r = eq.Combine(GradientMatrix.FromRows([[1, 2], [1, 2], [1, 2]]), new StrategyStep([1.0, 1.0, 1.0]));
        Assert.True(eq.LastWasSingular);
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], r.Weights!);
        // One task: plain descent.
        AssertClose([1], Combine("imtl", [[3, -1]]).Weights!);
        // A zero gradient has no direction: weight 0, the other two (orthogonal unit) tasks share ½ each.
        AssertClose([0.5, 0, 0.5], Combine("imtl", [[1, 0], [0, 0], [0, 1]]).Weights!);
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], Combine("imtl", [[0, 0], [0, 0], [0, 0]]).Weights!);
    }

    // ---- Aligned-MTL ----

    [Fact]
    public void Alignedmtl_on_orthogonal_gradients_of_norms_one_and_two()
    {
        // M = diag(1, 4): σ = (2, 1), σ_min = 1, B = 1·diag(1/1, 1/2) → w = B·1 = (1, ½), combined = (1, 1).
        var r = Combine("alignedmtl", [[1, 0], [0, 2]]);
        AssertClose([1, 0.5], r.Weights!);
        AssertClose([1, 1], r.Combined);
        // rmse: s = √((1 + 4)/2) = √2.5 → w = (√2.5, √2.5/2), combined (√2.5, √2.5).
        var rmse = Combine("alignedmtl", [[1, 0], [0, 2]], options: new AlignedMtlOptions { ScaleMode = "rmse" });
        AssertClose([Math.Sqrt(2.5), Math.Sqrt(2.5) / 2], rmse.Weights!);
        // median of two is the lower one (torch.median): the same as min.
        AssertClose([1, 0.5], Combine("alignedmtl", [[1, 0], [0, 2]], options: new AlignedMtlOptions { ScaleMode = "median" }).Weights!);
    }

    [Fact]
    public void Alignedmtl_combined_norm_is_sigma_min_times_root_K()
    {
        // Full rank: 1ᵀĜ with Ĝ = s·VQᵀ (orthogonal rows of norm s) has ‖·‖² = s²·‖Vᵀ1‖² = K·λ_min.
        // g1 = (1,0), g2 = (1,1): M = [[1,1],[1,2]], λ_min = (3 − √5)/2 → ‖combined‖² = 3 − √5.
        var r = Combine("alignedmtl", [[1, 0], [1, 1]]);
        Assert.Equal(3 - Math.Sqrt(5), Dot(r.Combined, r.Combined), 12);
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var g = RandomMatrix(3, 7, seed);
            var (values, _) = Mtl.MultiTask.Balancing.Solvers.SymmetricSpectrum.Decompose(g.Gramian());
            var c = StrategyRegistry.Create("alignedmtl").Combine(g, new StrategyStep([1.0, 1.0, 1.0])).Combined;
            Assert.Equal(3 * values[2], Dot(c, c), 9);
        }
    }

    [Fact]
    public void Alignedmtl_drops_null_components()
    {
        // g1 = (1,0), g2 = (2,0): M = [[1,2],[2,4]] has λ = (5, 0) → rank 1, v = (1,2)/√5, B = vvᵀ (s = σ₁):
        // w = v·(vᵀ1) = (1,2)/√5 · 3/√5 = (3/5, 6/5) → combined = (3/5 + 12/5, 0) = (3, 0).
        var r = Combine("alignedmtl", [[1, 0], [2, 0]]);
        AssertClose([0.6, 1.2], r.Weights!);
        AssertClose([3, 0], r.Combined);
        AssertClose([0, 0], Combine("alignedmtl", [[0, 0], [0, 0]]).Combined);
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("alignedmtl", new AlignedMtlOptions { ScaleMode = "max" }));
    }

    // ---- ConFIG ----

    [Fact]
    public void Config_on_orthogonal_gradients_of_norms_one_and_two()
    {
        // u1 = (1,0), u2 = (0,1): C = I, a = C⁺1 = (1,1), x = u1 + u2 = (1,1), x̂ = (1,1)/√2;
        // Σ gᵢ·x̂ = (1 + 2)/√2 → combined = (3/√2)(1,1)/√2 = (3/2, 3/2). x = g1 + ½g2 and Σgᵢ·x/‖x‖² = 3/2,
        // so the weights are (3/2, 3/4).
        var r = Combine("config", [[1, 0], [0, 2]]);
        AssertClose([1.5, 1.5], r.Combined);
        AssertClose([1.5, 0.75], r.Weights!);
    }

    [Fact]
    public void Config_direction_has_the_same_positive_cosine_with_every_task_gradient()
    {
        // Conflicting pair g1 = (1,0), g2 = (−1,1) (cos −1/√2) and random 3- and 4-task cases.
        var pair = Combine("config", [[1, 0], [-1, 1]]).Combined;
        Assert.Equal(Cosine(pair, [1, 0]), Cosine(pair, [-1, 1]), 12);
        Assert.True(Cosine(pair, [1, 0]) > 0);
        for (ulong seed = 1; seed <= 10; seed++)
        {
            int k = 3 + (int)(seed % 2);
            var g = RandomMatrix(k, 9, seed);
            var c = StrategyRegistry.Create("config").Combine(g, new StrategyStep(RandomLosses(k, seed))).Combined;
            double first = Cosine(c, g.Row(0));
            Assert.True(first > 0);
            for (int t = 1; t < k; t++) Assert.Equal(first, Cosine(c, g.Row(t)), 9);
        }
    }

    // ---- DB-MTL ----

    [Fact]
    public void Dbmtl_averages_log_loss_gradients_and_scales_them_to_the_largest_norm()
    {
        // β = 0.9, σ = 0. g1 = (1,0) with L1 = 2, g2 = (0,4) with L2 = 1: log-loss gradients (½, 0) and (0, 4).
        // Step 1: ĝ1 = 0.1·(½,0) = (0.05, 0), ĝ2 = 0.1·(0,4) = (0, 0.4); max norm 0.4 → combined (0.4, 0.4).
        // Step 2: ĝ1 = 0.9·0.05 + 0.05 = 0.095, ĝ2 = 0.9·0.4 + 0.4 = 0.76 → combined (0.76, 0.76). No weights.
        var s = StrategyRegistry.Create("dbmtl");
        var g = GradientMatrix.FromRows([[1, 0], [0, 4]]);
        var first = s.Combine(g, new StrategyStep([2.0, 1.0]));
        AssertClose([0.4, 0.4], first.Combined, 1e-7);
        Assert.Null(first.Weights);
        AssertClose([0.76, 0.76], s.Combine(g, new StrategyStep([2.0, 1.0])).Combined, 1e-7);
        // σ = ½: β₂ = 0.9/√2; ĝ2 = β₂·0.4 + (1 − β₂)·4 at step 2.
        var decaying = StrategyRegistry.Create("dbmtl", new DbMtlOptions { BetaSigma = 0.5 });
        decaying.Combine(g, new StrategyStep([2.0, 1.0]));
        double b2 = 0.9 / Math.Sqrt(2), e2 = b2 * 0.4 + (1 - b2) * 4;
        AssertClose([e2, e2], decaying.Combine(g, new StrategyStep([2.0, 1.0])).Combined, 1e-7);
    }

    [Fact]
    public void Dbmtl_refuses_negative_losses_and_a_changed_gradient_length()
    {
        var s = StrategyRegistry.Create("dbmtl");
        var neg = Assert.Throws<ArgumentException>(() => s.Combine(GradientMatrix.FromRows([[1, 0], [0, 1]]), new StrategyStep([1.0, -1.0])));
        Assert.Contains("'dbmtl'", neg.Message);
        s.Combine(RandomMatrix(2, 5, 1), new StrategyStep([1.0, 1.0]));
        var len = Assert.Throws<ArgumentException>(() => s.Combine(RandomMatrix(2, 6, 1), new StrategyStep([1.0, 1.0])));
        Assert.Contains("length 5", len.Message);
        s.Reset();
        Assert.Equal(6, s.Combine(RandomMatrix(2, 6, 1), new StrategyStep([1.0, 1.0])).Combined.Length);
    }
}
