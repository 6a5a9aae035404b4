// Checks shared by the CGC/PLE, DSelect-k and low-rank tests: every parameter is trained, outputs are reproducible.
using Mtl.MultiTask.Architectures;
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

internal static class ExpertArchitectureChecks
{
    /// <summary>
    /// Backpropagates a random projection of every task's output (plus the auxiliary loss) and asserts that each
    /// parameter's gradient is finite and not all zero; the message names the parameter.
    /// </summary>
    public static void EveryParameterGetsAGradient(MultiTaskModel model, Tensor x, ulong seed = 17)
    {
        var g = new Generator(seed);
        model.Train();
        model.ZeroGrad();
        var outputs = model.Forward(x);
        Tensor? loss = null;
        foreach (var t in model.Tasks)
        {
            var y = outputs[t.Name];
            var term = y.Mul(Tensor.RandN(y.Shape, g, dtype: y.DType)).Sum();
            loss = loss is null ? term : loss.Add(term);
        }
        if (model.AuxiliaryLoss() is { } aux) loss = loss!.Add(aux);
        loss!.Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"parameter '{name}' got no gradient");
            var grad = p.Grad!.ToDoubleArray();
            Assert.True(grad.All(double.IsFinite), $"parameter '{name}' has a non-finite gradient");
            Assert.True(grad.Any(v => v != 0), $"parameter '{name}' {p.ShapeString} has an all-zero gradient");
        }
        model.ZeroGrad();
    }

    /// <summary>Builds a model twice from the same seeds and asserts bit-identical outputs.</summary>
    public static void SameSeedSameOutputs(Func<MultiTaskModel> build, Tensor x)
    {
        Init.ManualSeed(21);
        var a = build();
        Init.ManualSeed(21);
        var b = build();
        a.Eval();
        b.Eval();
        var ya = a.Forward(x);
        var yb = b.Forward(x);
        foreach (var t in a.Tasks) Assert.Equal(ya[t.Name].ToArray<float>(), yb[t.Name].ToArray<float>());
    }
}
