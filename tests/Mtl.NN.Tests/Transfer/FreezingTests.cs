// Freezing by name pattern: names affected, errors for patterns matching nothing, stale gradients dropped.
using Mtl.NN.Optim;
using Mtl.NN.Transfer;

namespace Mtl.NN.Tests.Transfer;

public class FreezingTests
{
    // encoder.0.*, encoder.2.*, heads.a.0.*, heads.b.0.*
    private static Net Model(Generator g)
    {
        var heads = new ModuleDict<Sequential>();
        heads.Add("a", new Sequential(new Linear(4, 2, generator: g)));
        heads.Add("b", new Sequential(new Linear(4, 1, generator: g)));
        return new Net(new Sequential(new Linear(3, 4, generator: g), new ReLU(), new Linear(4, 4, generator: g)), heads);
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(Sequential encoder, ModuleDict<Sequential> heads)
        {
            Encoder = RegisterModule("encoder", encoder);
            Heads = RegisterModule("heads", heads);
        }

        public Sequential Encoder { get; }
        public ModuleDict<Sequential> Heads { get; }
        public override Tensor Forward(Tensor x)
        {
            var h = Encoder.Forward(x);
            return Heads["a"].Forward(h).Sum().Add(Heads["b"].Forward(h).Sum());
        }
    }

    [Fact]
    public void Freezes_and_unfreezes_by_glob_and_regex_returning_the_names()
    {
        var m = Model(new Generator(1));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias"], m.FreezeMatching("encoder.*"));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias"], m.FrozenParameterNames());
        Assert.Equal(["heads.a.0.weight", "heads.b.0.weight"], m.FreezeMatching("heads.*.0.weight"));
        Assert.Equal(["encoder.2.weight", "encoder.2.bias", "heads.b.0.weight", "heads.b.0.bias"], m.UnfreezeMatching("re:encoder\\.2\\..*", "heads.b.*"));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "heads.a.0.weight"], m.FrozenParameterNames());
        Assert.Equal(12 + 4 + 8, m.ParameterCount() - m.ParameterCount(trainableOnly: true));   // (4, 3) + (4) + (2, 4)
    }

    [Fact]
    public void A_pattern_matching_nothing_is_an_error_and_changes_nothing()
    {
        var m = Model(new Generator(1));
        var e = Assert.Throws<ArgumentException>(() => m.FreezeMatching("encoder.*", "trunk.*"));
        Assert.Contains("pattern 'trunk.*' matches no parameter", e.Message);
        Assert.Contains("encoder.0.weight", e.Message);
        Assert.Empty(m.FrozenParameterNames());
    }

    [Fact]
    public void Freezing_drops_a_stale_gradient_so_momentum_does_not_move_the_parameter()
    {
        var g = new Generator(2);
        var m = Model(g);
        var opt = new SGD(m.Parameters(), new SGDOptions { Lr = 0.1, Momentum = 0.9, WeightDecay = 0.01 });
        opt.ZeroGrad();
        m.Forward(Tensor.RandN([5, 3], g)).Backward();
        opt.Step();                                  // momentum buffers now non-zero
        m.Forward(Tensor.RandN([5, 3], g)).Backward();   // a gradient left behind
        m.FreezeMatching("encoder.*");
        var w = m.NamedParameters().Single(p => p.Name == "encoder.0.weight").Parameter;
        Assert.Null(w.Grad);
        var before = w.ToFloatArray();
        for (int step = 0; step < 3; step++)
        {
            opt.ZeroGrad();
            m.Forward(Tensor.RandN([5, 3], g)).Backward();
            opt.Step();
        }
        Assert.Equal(before, w.ToFloatArray());
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Module_Freeze_drops_gradients_too()
    {
        var g = new Generator(3);
        var m = Model(g);
        m.Forward(Tensor.RandN([2, 3], g)).Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.Freeze();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
    }
}
