// Hand-computed cases of the loss weightings that learn or track a reference: stch, famo and gradnorm.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class AdaptiveLossWeightingTests
{
    private static double[] Weights(BalancingStrategy s, double[] losses, int epoch = 0)
    {
        var w = new double[losses.Length];
        s.LossWeights(new StrategyStep(losses, 1, epoch), w);
        return w;
    }

    [Fact]
    public void Stch_warms_up_on_log_losses_then_weights_by_the_softmax_over_the_nadir()
    {
        var stch = (SmoothTchebycheff)StrategyRegistry.Create("stch", new SmoothTchebycheffOptions { WarmupEpochs = 1 });
        AssertClose([0.5, 2], Weights(stch, [2, 0.5], epoch: 0), 1e-15);   // Σ log L: weights 1/L
        Weights(stch, [1, 1], epoch: 1);
        AssertClose([1 / 3.0, 1], Weights(stch, [3, 1], epoch: 1), 1e-15);
        Assert.Null(stch.Nadir);
        // Nadir = epoch-1 means (2, 1). L = (1, 2): f = log(L/n) = (log ½, log 2), s = softmax(f) = (½, 2)/2.5 = (0.2, 0.8),
        // wₖ = K·sₖ/Lₖ = (2·0.2/1, 2·0.8/2) = (0.4, 0.8).
        AssertClose([0.4, 0.8], Weights(stch, [1, 2], epoch: 2), 1e-14);
        AssertClose([2, 1], stch.Nadir!.ToArray(), 1e-15);
        // Preferences p = (2, 1): logits p∘f = (2 log ½, log 2) → s = (¼, 2)/(9/4) = (1/9, 8/9); w = K·s∘p/L = (4/9, 8/9).
        var pref = StrategyRegistry.Create("stch", new SmoothTchebycheffOptions { WarmupEpochs = 0, Preferences = [2, 1] });
        Weights(pref, [2, 1], epoch: 0);
        AssertClose([4 / 9.0, 8 / 9.0], Weights(pref, [1, 2], epoch: 1), 1e-14);
        // Small μ: the smooth max becomes the max — all weight K·p/L on the task furthest above its nadir.
        var sharp = StrategyRegistry.Create("stch", new SmoothTchebycheffOptions { WarmupEpochs = 0, Mu = 0.01 });
        Weights(sharp, [2, 1], epoch: 0);
        AssertClose([0, 1], Weights(sharp, [1, 2], epoch: 1), 1e-12);
    }

    [Fact]
    public void Famo_weights_normalise_softmax_by_the_losses_and_xi_follows_log_loss_progress()
    {
        var famo = (Famo)StrategyRegistry.Create("famo");
        // ξ = 0: z = (½, ½), w ∝ z/L = (½, ½).
        AssertClose([0.5, 0.5], Weights(famo, [1, 1]), 1e-15);
        AssertClose([0, 0], famo.Logits.ToArray(), 0);
        // Next call L = (½, 1): δ = (log 2, 0), Jᵀδ = z∘(δ − zᵀδ) = (¼ log 2, −¼ log 2); γξ = 0; Adam's first step moves
        // ξ by −lr·sign = (−0.025, +0.025): task 1 improved, so it loses weight. Then z = softmax(ξ),
        // w ∝ (z₁/½, z₂/1).
        var w = Weights(famo, [0.5, 1]);
        AssertClose([-0.025, 0.025], famo.Logits.ToArray(), 1e-6);
        double z1 = 1 / (1 + Math.Exp(0.05)), z2 = 1 - z1;
        AssertClose([2 * z1 / (2 * z1 + z2), z2 / (2 * z1 + z2)], w, 1e-7);
        Assert.Equal(1, w.Sum(), 14);
        // A task whose loss stalls keeps gaining logit.
        for (int i = 0; i < 20; i++) Weights(famo, [0.5 * Math.Pow(0.9, i + 1), 1]);
        Assert.True(famo.Logits[1] > 0.2 && famo.Logits[0] < -0.2, $"logits [{string.Join(", ", famo.Logits)}]");
    }

    [Fact]
    public void Gradnorm_combines_with_this_steps_weights_then_moves_them_towards_the_target_norms()
    {
        // g₁ = (3, 4) (‖g₁‖ = 5), g₂ = (1, 0) (‖g₂‖ = 1). Step 1: w = (1, 1) → combined (4, 4). G = (5, 1), Ḡ = 3,
        // L(0) = L → r = (1, 1), targets (3, 3): ∂L_grad/∂w = sign(G − target)·‖g‖ = (5, −1); Adam's first step gives
        // w = (0.975, 1.025), Σ = 2 already.
        var gn = (GradNorm)StrategyRegistry.Create("gradnorm");
        var g = GradientMatrix.FromRows([[3, 4], [1, 0]]);
        var r1 = gn.Combine(g, new StrategyStep([1.0, 1.0]));
        AssertClose([4, 4], r1.Combined, 1e-15);
        AssertClose([1, 1], r1.Weights!, 1e-15);
        AssertClose([0.975, 1.025], gn.Weights.ToArray(), 1e-9);
        // Step 2, L = (½, 1): L̃ = (½, 1), r = (⅔, 4/3); G = (4.875, 1.025), Ḡ = 2.95, targets 2.95·r^1.5 ≈ (1.61, 4.54):
        // the same signs, so the gradient (5, −1) repeats and Adam moves lr again: w = (0.95, 1.05).
        var r2 = gn.Combine(g, new StrategyStep([0.5, 1.0]));
        AssertClose([0.975, 1.025], r2.Weights!, 1e-9);
        AssertClose([0.975 * 3 + 1.025, 0.975 * 4], r2.Combined, 1e-9);
        AssertClose([0.95, 1.05], gn.Weights.ToArray(), 1e-9);
    }

    [Fact]
    public void Gradnorm_with_equal_training_rates_equalises_the_weighted_gradient_norms()
    {
        // α = 0 (or equal loss ratios): the targets are Ḡ for every task, so w settles where w₁·5 = w₂·1, Σw = 2:
        // w = (⅓, 5/3) — the paper's claim that GradNorm equalises the gradient norms.
        var gn = (GradNorm)StrategyRegistry.Create("gradnorm", new GradNormOptions { Lr = 0.01 });
        var g = GradientMatrix.FromRows([[3, 4], [1, 0]]);
        for (int i = 0; i < 600; i++) gn.Combine(g, new StrategyStep([1.0, 1.0]));
        AssertClose([1 / 3.0, 5 / 3.0], gn.Weights.ToArray(), 0.03);
        Assert.Equal(2, gn.Weights.Sum(), 12);
        var e = Assert.Throws<NotSupportedException>(() => gn.LossWeights(new StrategyStep([1.0, 1.0]), new double[2]));
        Assert.Contains("'gradnorm'", e.Message);
    }

    [Fact]
    public void Stch_state_after_the_warm_up_continues_exactly()
    {
        // The contract's round trip stays inside the default 4-epoch warm-up; this one crosses into the scalarisation.
        var options = new SmoothTchebycheffOptions { WarmupEpochs = 1, Preferences = [1, 2, 0.5] };
        var a = StrategyRegistry.Create("stch", options);
        for (int s = 0; s < 5; s++) Weights(a, RandomLosses(3, (ulong)s + 1), epoch: s / 2);
        var restored = StrategyRegistry.Create("stch", options);
        restored.LoadStateDict(a.StateDict());
        Assert.Equal(((SmoothTchebycheff)a).Nadir, ((SmoothTchebycheff)restored).Nadir);
        Assert.Equal(Weights(a, [0.3, 1.1, 2.0], epoch: 3), Weights(restored, [0.3, 1.1, 2.0], epoch: 3));
    }
}
