// Hand-computed cases of the fixed-rule loss weightings: uw, dwa, rlw, gls and si.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class LossWeightingTests
{
    private static double[] Weights(BalancingStrategy s, double[] losses, int epoch = 0, long step = 1)
    {
        var w = new double[losses.Length];
        s.LossWeights(new StrategyStep(losses, step, epoch), w);
        return w;
    }

    [Fact]
    public void Uw_applies_half_exp_minus_s_then_takes_one_adam_step_on_s()
    {
        // s₀ = 0: weights ½e⁰ = ½. ∂/∂s (½e^{−s}L + ½s) = ½ − ½L = (−½, ¼) for L = (2, ½); Adam's first step moves
        // each sₖ by lr·sign(gradient) = (+0.1, −0.1). The next weights are ½e^{∓0.1}.
        var uw = (UncertaintyWeighting)StrategyRegistry.Create("uw", new UncertaintyWeightingOptions { Lr = 0.1, InitialLogVariance = 0 });
        AssertClose([0.5, 0.5], Weights(uw, [2, 0.5]), 1e-15);
        AssertClose([0.1, -0.1], uw.LogVariances.ToArray(), 1e-7);
        AssertClose([0.5 * Math.Exp(-0.1), 0.5 * Math.Exp(0.1)], Weights(uw, [1, 1]), 1e-7);
    }

    [Fact]
    public void Uw_starts_at_libmtl_s0_and_settles_where_e_to_the_s_equals_the_loss()
    {
        var uw = (UncertaintyWeighting)StrategyRegistry.Create("uw");
        AssertClose([0.5 * Math.Exp(0.5), 0.5 * Math.Exp(0.5)], Weights(uw, [4, 0.25]), 1e-15);
        // The stationary point of ½e^{−s}L + ½s is s = log L: weight 1/(2L).
        var fast = (UncertaintyWeighting)StrategyRegistry.Create("uw", new UncertaintyWeightingOptions { Lr = 0.02 });
        double[] w = [];
        for (int i = 0; i < 3000; i++) w = Weights(fast, [4, 0.25]);
        AssertClose([Math.Log(4), Math.Log(0.25)], fast.LogVariances.ToArray(), 0.03);
        AssertClose([0.125, 2], w, 0.05);
    }

    [Fact]
    public void Dwa_weights_the_third_epoch_by_the_softmax_of_loss_ratios()
    {
        // Epoch 0 means (2, 2), epoch 1 means (1, 2): r = (½, 1), T = 2 → w = 2·softmax(¼, ½) = (2/(1+e^{¼}), 2e^{¼}/(1+e^{¼})).
        var dwa = StrategyRegistry.Create("dwa");
        AssertClose([1, 1], Weights(dwa, [1, 2], epoch: 0));
        AssertClose([1, 1], Weights(dwa, [3, 2], epoch: 0));
        AssertClose([1, 1], Weights(dwa, [1, 1], epoch: 1));
        AssertClose([1, 1], Weights(dwa, [1, 3], epoch: 1));
        double e = Math.Exp(0.25);
        var w = Weights(dwa, [3, 7], epoch: 2);
        AssertClose([2 / (1 + e), 2 * e / (1 + e)], w, 1e-14);   // ≈ (0.8754, 1.1246): task 2 fell least
        AssertClose(w, Weights(dwa, [7, 3], epoch: 2), 1e-15);   // constant within the epoch
        // Epoch 3: means (5, 5)/(1, 2) → r = (5, 2.5) → task 1 now gets the larger weight.
        var next = Weights(dwa, [1, 1], epoch: 3);
        AssertClose([2 / (1 + Math.Exp(-1.25)), 2 / (1 + Math.Exp(1.25))], next, 1e-14);
        var back = Assert.Throws<ArgumentException>(() => Weights(dwa, [1, 1], epoch: 1));
        Assert.Contains("'dwa'", back.Message);
    }

    [Fact]
    public void Rlw_draws_softmax_of_standard_normals_from_its_seeded_generator()
    {
        var rlw = StrategyRegistry.Create("rlw", new RandomLossWeightingOptions { Seed = 11 });
        Assert.True(rlw.IsStochastic);
        var g = new Generator(11);
        var mean = new double[3];
        const int steps = 2000;
        for (int s = 0; s < steps; s++)
        {
            double[] z = [g.NextNormal(), g.NextNormal(), g.NextNormal()];
            double sum = z.Sum(Math.Exp);
            var w = Weights(rlw, [1, 2, 3]);
            AssertClose(z.Select(x => Math.Exp(x) / sum).ToArray(), w, 1e-14);
            Assert.All(w, x => Assert.True(x > 0));
            for (int k = 0; k < 3; k++) mean[k] += w[k] / steps;
        }
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], mean, 0.02);   // symmetric distribution: equal weights on average
        var other = StrategyRegistry.Create("rlw", new RandomLossWeightingOptions { Seed = 12 });
        Assert.NotEqual(Weights(StrategyRegistry.Create("rlw", new RandomLossWeightingOptions { Seed = 11 }), [1, 1]), Weights(other, [1, 1]));
    }

    [Fact]
    public void Gls_weights_are_the_gradient_of_the_geometric_mean()
    {
        // L = (1, 4): G = 2, wₖ = G/(K·Lₖ) = (1, ¼). L = (1, 2, 4): G = 2, w = (⅔, ⅓, ⅙).
        AssertClose([1, 0.25], Weights(StrategyRegistry.Create("gls"), [1, 4]), 1e-7);
        double[] losses = [1, 2, 4];
        var w = Weights(StrategyRegistry.Create("gls"), losses);
        AssertClose([2 / 3.0, 1 / 3.0, 1 / 6.0], w, 1e-7);
        // Euler: G is 1-homogeneous, so Σ wₖLₖ = G, every task contributing G/K.
        Assert.Equal(2, w.Zip(losses, (a, b) => a * b).Sum(), 7);
        var zero = Assert.Throws<ArgumentException>(() => Weights(StrategyRegistry.Create("gls", new GeometricLossOptions { Epsilon = 0 }), [0, 1]));
        Assert.Contains("'gls'", zero.Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Weights(StrategyRegistry.Create("gls"), [-1, 1])).Message);
    }

    [Fact]
    public void Si_weights_are_inverse_losses_so_rescaling_a_loss_changes_nothing()
    {
        AssertClose([2, 0.5, 0.25], Weights(StrategyRegistry.Create("si"), [0.5, 2, 4]), 1e-7);
        // Task 1's loss ×10 (and so its gradient ×10): the combined gradient stays the same.
        double[][] g = [[1, 2], [-3, 1]];
        var a = Combine("si", g, [0.5, 2]);
        var b = Combine("si", [[10, 20], [-3, 1]], [5, 2]);
        AssertClose(a.Combined, b.Combined, 1e-7);
        var e = Assert.Throws<ArgumentException>(() => Weights(StrategyRegistry.Create("si", new ScaleInvariantOptions { Epsilon = 0 }), [0, 1]));
        Assert.Contains("'si'", e.Message);
        Assert.Equal(1e8, Weights(StrategyRegistry.Create("si"), [0, 1])[0], 1e-3);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_strategy()
    {
        Assert.Contains("'uw'", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("uw", new UncertaintyWeightingOptions { Lr = -1 })).Message);
        Assert.Contains("'dwa'", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("dwa", new DynamicWeightAverageOptions { T = 0 })).Message);
        Assert.Contains("'stch'", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("stch", new SmoothTchebycheffOptions { Mu = double.NaN })).Message);
        Assert.Contains("'famo'", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("famo", new FamoOptions { Gamma = -1 })).Message);
        Assert.Contains("'gradnorm'", Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("gradnorm", new GradNormOptions { Alpha = double.PositiveInfinity })).Message);
        var prefs = StrategyRegistry.Create("stch", new SmoothTchebycheffOptions { Preferences = [1, 2, 3] });
        Assert.Contains("3 preferences given for 2 tasks", Assert.Throws<ArgumentException>(() => Weights(prefs, [1, 1])).Message);
    }

    [Fact]
    public void Every_loss_weighting_is_registered_in_its_family()
    {
        foreach (var n in new[] { "uw", "dwa", "rlw", "gls", "si", "stch", "famo", "gradnorm" })
            Assert.Equal(StrategyFamily.LossWeighting, StrategyRegistry.Get(n).Family);
        Assert.True(StrategyRegistry.Create("gradnorm").NeedsGradients);
        Assert.True(StrategyRegistry.Create("gradnorm").SupportsRepresentation);
        Assert.All(new[] { "uw", "dwa", "rlw", "gls", "si", "stch", "famo" }, n => Assert.False(StrategyRegistry.Create(n).NeedsGradients));
    }
}
