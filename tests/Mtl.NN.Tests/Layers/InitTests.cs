// Default initialisation follows PyTorch's formulas: bounds and spread of each layer's parameters, and seeding.
namespace Mtl.NN.Tests.Layers;

public class InitTests
{
    private static void UniformWithin(Tensor t, double bound)
    {
        var v = t.ToDoubleArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        Assert.True(v.Max() > 0.9 * bound && v.Min() < -0.9 * bound, $"values do not fill ±{bound}: [{v.Min()}, {v.Max()}]");
        Assert.InRange(v.Average(), -0.1 * bound, 0.1 * bound);
    }

    [Fact]
    public void Linear_uses_kaiming_uniform_a_sqrt5_and_fan_in_bias()
    {
        var l = new Linear(400, 300, generator: new Generator(1));
        UniformWithin(l.Weight, 1 / Math.Sqrt(400));   // gain·√(3/fan_in) with gain = √(2/6)
        UniformWithin(l.Bias!, 1 / Math.Sqrt(400));
    }

    [Fact]
    public void Embedding_is_standard_normal_with_zero_padding_row()
    {
        var e = new Embedding(2000, 50, paddingIdx: 7, generator: new Generator(2));
        var v = e.Weight.ToDoubleArray();
        double mean = v.Average(), std = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
        Assert.All(e.Weight.Select(0, 7).ToDoubleArray(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void Norm_layers_start_as_identity()
    {
        var bn = new BatchNorm2d(5);
        Assert.All(bn.Weight!.ToDoubleArray(), x => Assert.Equal(1, x));
        Assert.All(bn.Bias!.ToDoubleArray(), x => Assert.Equal(0, x));
        Assert.All(bn.RunningVar!.ToDoubleArray(), x => Assert.Equal(1, x));
        var ln = new LayerNorm(7);
        Assert.All(ln.Weight!.ToDoubleArray(), x => Assert.Equal(1, x));
    }

    [Fact]
    public void Manual_seed_makes_construction_reproducible()
    {
        Init.ManualSeed(42);
        var a = new Sequential(new Linear(8, 8), new ReLU(), new Linear(8, 2));
        Init.ManualSeed(42);
        var b = new Sequential(new Linear(8, 8), new ReLU(), new Linear(8, 2));
        Assert.Equal(a.StateDict().Keys, b.StateDict().Keys);
        foreach (var k in a.StateDict().Keys) Assert.Equal(a.StateDict()[k].ToArray<float>(), b.StateDict()[k].ToArray<float>());
        Init.ManualSeed(43);
        var c = new Linear(8, 8);
        Assert.NotEqual(((Linear)a[0]).Weight.ToArray<float>(), c.Weight.ToArray<float>());
    }

    [Fact]
    public void Layer_errors_name_the_layer_and_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Linear(5, 3).Forward(Tensor.Zeros([2, 4])));
        Assert.Contains("Linear(5→3)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
        var b = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros([2, 4, 5, 5])));
        Assert.Contains("BatchNorm2d(3)", b.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
        Assert.Throws<ArgumentException>(() => new Linear(0, 3));
    }

    [Fact]
    public void Dropout_module_respects_train_and_eval()
    {
        var d = new Dropout(0.5, new Generator(3));
        var x = Tensor.Ones([1000]);
        var trained = d.Forward(x).ToArray<float>();
        Assert.Contains(0f, trained);
        Assert.Contains(2f, trained);
        d.Eval();
        Assert.Same(x, d.Forward(x));
    }
}
