// Parameter initialisers matching PyTorch's (uniform, normal, Kaiming, Xavier, orthogonal) and the default generator.
namespace Mtl.NN;

/// <summary>
/// In-place initialisers with PyTorch's formulas. Layers draw from an explicit <see cref="Generator"/> when given one,
/// else from <see cref="DefaultGenerator"/>, which <see cref="ManualSeed"/> reseeds (like torch.manual_seed).
/// </summary>
public static class Init
{
    [ThreadStatic] private static Generator? _default;

    /// <summary>The generator layers use when none is passed (per thread; seed 0 until <see cref="ManualSeed"/>).</summary>
    public static Generator DefaultGenerator => _default ??= new Generator(0);

    /// <summary>Reseeds <see cref="DefaultGenerator"/> so model construction is reproducible.</summary>
    public static void ManualSeed(ulong seed) => DefaultGenerator.Reseed(seed);

    /// <summary>fan_in and fan_out of a weight as PyTorch computes them (dim 1 and dim 0 times the receptive field).</summary>
    public static (int FanIn, int FanOut) Fans(Tensor w)
    {
        if (w.Rank < 2) throw new ArgumentException($"fan in/out need a weight with at least 2 dimensions, got {w.ShapeString}");
        int receptive = 1;
        for (int i = 2; i < w.Rank; i++) receptive *= w.Shape[i];
        return (w.Shape[1] * receptive, w.Shape[0] * receptive);
    }

    /// <summary>U(low, high) in place.</summary>
    public static Tensor Uniform(Tensor t, double low, double high, Generator g) => Write(t, Tensor.Rand(t.Shape, g, low, high, t.DType));

    /// <summary>N(mean, std²) in place.</summary>
    public static Tensor Normal(Tensor t, double mean, double std, Generator g) => Write(t, Tensor.RandN(t.Shape, g, mean, std, t.DType));

    /// <summary>A constant in place.</summary>
    public static Tensor Constant(Tensor t, double value)
    {
        using (GradMode.NoGrad()) t.Fill(value);
        return t;
    }

    /// <summary>Kaiming-uniform with leaky-relu gain for slope <paramref name="a"/> (PyTorch's Linear/Conv default uses a = √5).</summary>
    public static Tensor KaimingUniform(Tensor t, double a, Generator g)
    {
        var (fanIn, _) = Fans(t);
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        double bound = fanIn == 0 ? 0 : gain * Math.Sqrt(3.0 / fanIn);
        return Uniform(t, -bound, bound, g);
    }

    /// <summary>Kaiming-normal (fan-in mode) with leaky-relu gain for slope <paramref name="a"/>.</summary>
    public static Tensor KaimingNormal(Tensor t, double a, Generator g)
    {
        var (fanIn, _) = Fans(t);
        double std = fanIn == 0 ? 0 : Math.Sqrt(2.0 / (1 + a * a)) / Math.Sqrt(fanIn);
        return Normal(t, 0, std, g);
    }

    /// <summary>Xavier/Glorot uniform: U(±gain·√(6/(fan_in+fan_out))).</summary>
    public static Tensor XavierUniform(Tensor t, Generator g, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(t);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(t, -bound, bound, g);
    }

    /// <summary>Xavier/Glorot normal: N(0, gain²·2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, Generator g, double gain = 1)
    {
        var (fanIn, fanOut) = Fans(t);
        return Normal(t, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), g);
    }

    /// <summary>The bias bound PyTorch's Linear/Conv use: U(±1/√fan_in).</summary>
    public static Tensor BiasUniform(Tensor bias, Tensor weight, Generator g)
    {
        var (fanIn, _) = Fans(weight);
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        return Uniform(bias, -bound, bound, g);
    }

    private static Tensor Write(Tensor t, Tensor values)
    {
        using (GradMode.NoGrad()) t.CopyFrom(values);
        return t;
    }
}
