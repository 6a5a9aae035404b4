// Discriminative learning rates: first matching rule wins, a default group, every trainable parameter once, per-group lr.
using Mtl.NN.Optim;
using Mtl.NN.Transfer;

namespace Mtl.NN.Tests.Transfer;

public class DiscriminativeLrTests
{
    // encoder.0.*, encoder.2.*, head.*
    private static Sequential Model(Generator g) => new(
        new Sequential(new Linear(3, 4, generator: g), new ReLU(), new Linear(4, 4, generator: g)),
        new Linear(4, 1, generator: g));

    [Fact]
    public void First_matching_rule_wins_and_the_rest_form_the_default_group()
    {
        var m = Model(new Generator(1));
        var plan = DiscriminativeLr.Plan(m, 0.01, [new LrRule("0.0.*", 0.1), new LrRule("0.*", 0.5)]);
        Assert.Equal(["0.0.*", "0.*", DiscriminativeLr.DefaultRule], plan.Select(g => g.Rule));
        Assert.Equal([0.001, 0.005, 0.01], plan.Select(g => g.Lr), new ToleranceComparer());
        Assert.Equal(["0.0.weight", "0.0.bias"], plan[0].Names);
        Assert.Equal(["0.2.weight", "0.2.bias"], plan[1].Names);
        Assert.Equal(["1.weight", "1.bias"], plan[2].Names);
        var all = plan.SelectMany(g => g.Group.Params).ToList();
        Assert.Equal(m.Parameters().Count(), all.Count);
        Assert.Equal(all.Count, all.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public void Frozen_parameters_are_left_out_and_a_rule_matching_nothing_trainable_is_an_error()
    {
        var m = Model(new Generator(1));
        m.FreezeMatching("0.0.*");
        var plan = DiscriminativeLr.Plan(m, 0.01, [new LrRule("0.*", 0.1)]);
        Assert.Equal(["0.2.weight", "0.2.bias"], plan[0].Names);
        var e = Assert.Throws<ArgumentException>(() => DiscriminativeLr.Plan(m, 0.01, [new LrRule("0.0.*", 0.1)]));
        Assert.Contains("rule '0.0.*' matches no trainable parameter", e.Message);
        Assert.Throws<ArgumentException>(() => DiscriminativeLr.Plan(m, 0.01, [new LrRule("1.*", -1)]));
    }

    [Fact]
    public void Each_group_steps_at_its_own_rate_with_SGD_and_Adam()
    {
        foreach (bool adam in new[] { false, true })
        {
            var g = new Generator(4);
            var m = Model(g);
            var groups = DiscriminativeLr.ParamGroups(m, 0.1, [new LrRule("0.*", 0.1)]);
            Optimizer opt = adam ? new Adam(groups, new AdamOptions { Lr = 0.1 }) : new SGD(groups, new SGDOptions { Lr = 0.1 });
            Assert.Equal([0.01, 0.1], opt.ParamGroups.Select(p => p.Lr), new ToleranceComparer());
            var named = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
            var (trunkW, headB) = (named["0.0.weight"], named["1.bias"]);
            var (w0, b0) = (trunkW.ToDoubleArray(), headB.ToDoubleArray());
            opt.ZeroGrad();
            m.Forward(Tensor.RandN([8, 3], g)).Sum().Backward();
            var (gw, gb) = (trunkW.Grad!.ToDoubleArray(), headB.Grad!.ToDoubleArray());
            opt.Step();
            // SGD: Δ = −lr·g; Adam's first step: Δ = −lr·sign(g) (up to eps)
            double Step(double grad, double lr) => adam ? -lr * Math.Sign(grad) : -lr * grad;
            var (w1, b1) = (trunkW.ToDoubleArray(), headB.ToDoubleArray());
            for (int i = 0; i < w0.Length; i++) Assert.Equal(Step(gw[i], 0.01), w1[i] - w0[i], 1e-5);
            Assert.Equal(Step(gb[0], 0.1), b1[0] - b0[0], 1e-5);
        }
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= 1e-12;
        public int GetHashCode(double x) => 0;
    }
}
