// Optimisers against PyTorch 1.13: parameters after each of 5 steps on fixed gradients, in float32 and float64.
namespace Mtl.NN.Tests.Optim;

public class OptimizerParityTests
{
    public static TheoryData<string> Cases() => new(OptimFixture.CaseNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_matches_pytorch(string name) => Run(name, DType.Float32, 5e-6, 0.1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_matches_pytorch_tightly(string name) => Run(name, DType.Float64, 1e-13, 1e-3);

    private static void Run(string name, DType dtype, double rtol, double floor)
    {
        var c = OptimFixture.Case(name);
        var ps = OptimFixture.InitialParams(dtype);
        var opt = OptimFixture.Build(c, ps);
        for (int k = 0; k < 5; k++)
        {
            OptimFixture.SetGrads(ps, k, c);
            opt.Step();
            var expected = OptimFixture.Expected(c, k);
            for (int i = 0; i < ps.Length; i++)
                OptimFixture.Close(expected[i], ps[i].ToDoubleArray(), rtol, floor, $"{name} {dtype} step {k} param {i}");
        }
    }

    [Fact]
    public void Parity_fails_for_a_different_hyper_parameter()
    {
        // Guards the comparison itself: momentum 0.8 instead of the fixture's 0.9 must not pass.
        var c = OptimFixture.Case("sgd_momentum");
        var ps = OptimFixture.InitialParams(DType.Float64);
        var opt = new Mtl.NN.Optim.SGD(ps, new Mtl.NN.Optim.SGDOptions { Lr = 0.1, Momentum = 0.8 });
        for (int k = 0; k < 5; k++)
        {
            OptimFixture.SetGrads(ps, k, c);
            opt.Step();
        }
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            OptimFixture.Close(OptimFixture.Expected(c, 4)[0], ps[0].ToDoubleArray(), 1e-5, 0.1, "x"));
    }
}
