// Hand-computed cases and properties of the tracking strategies MoCo and ExcessMTL.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class TrackingStrategyTests
{
    private static StrategyResult Step(BalancingStrategy s, double[][] rows, double[] losses, long step = 1, int epoch = 0) =>
        s.Combine(GradientMatrix.FromRows(rows), new StrategyStep(losses, step, epoch));

    [Fact]
    public void Moco_two_steps_by_hand()
    {
        var moco = (MoCo)StrategyRegistry.Create("moco");
        // Step 1 (t = 1: β = 0.5, γ = 0.1). g̃ₖ = gₖ·Lₖ/‖gₖ‖: g̃₁ = (3,4)/5·1 = (0.6, 0.8), g̃₂ = (0,2)/2·2 = (0, 2).
        // y = 0 − 0.5·(0 − g̃): y₁ = (0.3, 0.4), y₂ = (0, 1). YYᵀ = [[0.25, 0.4], [0.4, 1]], λ₀ = (½, ½):
        // YYᵀλ = (0.325, 0.7); λ − 0.1·YYᵀλ = (0.4675, 0.43), sum 0.8975; the simplex projection adds
        // (1 − 0.8975)/2 = 0.05125 to both: λ = (0.51875, 0.48125). d = Yᵀλ = (0.155625, 0.2075 + 0.48125 = 0.68875).
        var r1 = Step(moco, [[3, 4], [0, 2]], [1, 2]);
        Assert.Null(r1.Weights);   // a combination of the tracked Y, not of this step's G
        AssertClose([0.155625, 0.68875], r1.Combined, 1e-7);
        AssertClose([0.51875, 0.48125], moco.Lambda.ToArray(), 1e-7);
        // Step 2 (t = 2: β = 0.5/√2, γ = 0.1/√2) with g̃₁ = (0, 1), g̃₂ = (1, 0):
        // y₁ = (1−β)(0.3, 0.4) + β(0, 1) = (0.193934, 0.612132), y₂ = (1−β)(0, 1) + β(1, 0) = (0.353553, 0.646447);
        // YYᵀ = [[0.412321, 0.464268], [0.464268, 0.542893]]; λ − γ·YYᵀλ = (0.503064, 0.461111), sum 0.964175,
        // + 0.0179126 each: λ = (0.521041, 0.478959); d = Yᵀλ = (0.270385, 0.628567).
        var r2 = Step(moco, [[0, 5], [1, 0]], [1, 1], step: 2);
        AssertClose([0.5210406298097026, 0.4789593701902975], moco.Lambda.ToArray(), 1e-7);
        AssertClose([0.27038519194281485, 0.6285673194246253], r2.Combined, 1e-7);
    }

    [Fact]
    public void Moco_on_fixed_gradients_converges_to_the_mgda_direction_and_keeps_lambda_on_the_simplex()
    {
        // Raw gradients (2,0) and (0,1): the min-norm point of their hull is 1/5·(2,0) + 4/5·(0,1) = (0.4, 0.8).
        var moco = (MoCo)StrategyRegistry.Create("moco", new MoCoOptions { Gamma = 1, NormalizeGradients = false });
        StrategyResult? r = null;
        for (int t = 1; t <= 100; t++)
        {
            r = Step(moco, [[2, 0], [0, 1]], [1, 1], t);
            Assert.Equal(1, moco.Lambda.Sum(), 12);
            Assert.All(moco.Lambda, l => Assert.True(l >= 0));
        }
        AssertClose([0.2, 0.8], moco.Lambda.ToArray(), 1e-6);
        AssertClose([0.4, 0.8], r!.Combined, 1e-3);
    }

    [Fact]
    public void Moco_refuses_a_new_gradient_length_and_bad_options()
    {
        var moco = StrategyRegistry.Create("moco");
        Step(moco, [[1, 2], [3, 4]], [1, 1]);
        var e = Assert.Throws<ArgumentException>(() => Step(moco, [[1, 2, 3], [3, 4, 5]], [1, 1]));
        Assert.Contains("'moco' tracks gradients of length 2", e.Message);
        Assert.Contains("Beta", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("moco", new MoCoOptions { Beta = 2 })).Message);
    }

    [Fact]
    public void Simplex_projection_matches_hand_values()
    {
        var into = new double[3];
        MoCo.ProjectOntoSimplex([0.5, 0.5, 0.5], into);   // shift by −1/6
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], into);
        MoCo.ProjectOntoSimplex([2, 0, -1], into);        // a corner
        AssertClose([1, 0, 0], into);
        MoCo.ProjectOntoSimplex([0.8, 0.6, -3], into);    // τ = (1.4 − 1)/2 = 0.2
        AssertClose([0.6, 0.4, 0], into);
    }

    [Fact]
    public void Excessmtl_two_steps_by_hand()
    {
        var s = StrategyRegistry.Create("excessmtl");
        // Step 1: s = g⊙g, h = √(g² + 1e-7) ≈ |g|, so εₖ ≈ Σ|gₖⱼ|: ε = (1 + 2, 2) = (3, 2) becomes the baseline;
        // the weights stay 1: d = (1,2) + (2,0) = (3, 2).
        var r1 = Step(s, [[1, 2], [2, 0]], [1, 1]);
        AssertClose([1, 1], r1.Weights!);
        AssertClose([3, 2], r1.Combined);
        // Step 2 with g₁ = (1, 0), g₂ = (0, 1): s₁ = (2, 4), ε₁ = 1/√2; s₂ = (4, 1), ε₂ = 1/1 = 1.
        // Ratios ε/ε⁰ = (0.235702, 0.5); w ∝ (e^{0.01·0.235702}, e^{0.01·0.5}), scaled to sum 2:
        // w₁ = 2/(1 + e^{0.00264298}) = 0.998679, w₂ = 1.001321; d = (w₁, w₂).
        var r2 = Step(s, [[1, 0], [0, 1]], [1, 1], 2);
        AssertClose([0.9986785121649796, 1.0013214878350203], r2.Weights!, 1e-7);
        AssertClose(r2.Weights!, r2.Combined, 1e-12);
    }

    [Fact]
    public void Excessmtl_raises_the_weight_of_the_task_further_from_convergence()
    {
        // Task 1's gradient keeps its size while task 2's shrinks (task 2 converges): w₁ rises above w₂.
        var s = StrategyRegistry.Create("excessmtl", new ExcessMtlOptions { RobustStepSize = 0.5 });
        StrategyResult? r = null;
        for (int t = 1; t <= 20; t++) r = Step(s, [[1, 1], [0.5 / t, -0.5 / t]], [1, 1], t);
        Assert.True(r!.Weights![0] > r.Weights[1], $"weights [{string.Join(", ", r.Weights)}]");
        Assert.Equal(2, r.Weights.Sum(), 12);
    }

    [Fact]
    public void Excessmtl_warm_up_averages_the_baseline_over_its_epochs_and_keeps_weights_at_one()
    {
        var s = StrategyRegistry.Create("excessmtl", new ExcessMtlOptions { WarmupEpochs = 1 });
        // Epoch 0 (warm-up): ε = (3, 2) then, with s₁ = (2, 4), s₂ = (4, 1): ε = (1/√2, 1); weights stay 1.
        AssertClose([1, 1], Step(s, [[1, 2], [2, 0]], [1, 1], 1, epoch: 0).Weights!);
        AssertClose([1, 1], Step(s, [[1, 0], [0, 1]], [1, 1], 2, epoch: 0).Weights!);
        // Epoch 1: baseline = the mean (1.853553, 1.5); this call (g = (1,0), (0,1)) has s₁ = (3, 4), s₂ = (4, 2):
        // ε = (1/√3, 1/√2) and already updates: w ∝ e^{0.01·ε/ε⁰}.
        var r = Step(s, [[1, 0], [0, 1]], [1, 1], 3, epoch: 1);
        double a = Math.Exp(0.01 * (1 / Math.Sqrt(3)) / ((3 + 1 / Math.Sqrt(2)) / 2)), b = Math.Exp(0.01 * (1 / Math.Sqrt(2)) / 1.5);
        AssertClose([2 * a / (a + b), 2 * b / (a + b)], r.Weights!, 1e-6);
    }
}
