// Save → load → continue training gives bit-identical parameters to uninterrupted training (model, Adam, schedule, RNG).
using Mtl.NN.Optim;
using Mtl.NN.Serialization;
using Mtl.Storage;

namespace Mtl.NN.Tests;

public class ResumeTrainingTests
{
    private sealed record Run(Sequential Model, Adam Optimizer, StepLR Schedule, Generator Data, Generator Dropout);

    private static Run Create()
    {
        var init = new Generator(7);
        var dropout = new Generator(8);
        var model = new Sequential(new Linear(6, 16, generator: init), new ReLU(), new Dropout(0.2, dropout), new Linear(16, 3, generator: init));
        var opt = new Adam(model.Parameters(), new AdamOptions { Lr = 0.01, WeightDecay = 1e-4 });
        return new Run(model, opt, new StepLR(opt, stepSize: 2, gamma: 0.5), new Generator(9), dropout);
    }

    private static void Train(Run r, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.RandN([8, 6], r.Data);
            var y = Tensor.From(Enumerable.Range(0, 8).Select(_ => r.Data.NextInt(3)).ToArray());
            r.Optimizer.ZeroGrad();
            Losses.CrossEntropy(r.Model.Forward(x), y).Backward();
            r.Optimizer.Step();
            r.Schedule.Step();
        }
    }

    private static Dictionary<string, IStateful> Components(Run r) => new() { ["optim"] = r.Optimizer, ["sched"] = r.Schedule };
    private static Dictionary<string, Generator> Generators(Run r) => new() { ["data"] = r.Data, ["dropout"] = r.Dropout };

    [Fact]
    public void Resumed_training_is_bit_identical_to_uninterrupted_training()
    {
        var straight = Create();
        Train(straight, 7);

        var first = Create();
        Train(first, 3);
        var path = Path.Combine(Path.GetTempPath(), $"mtl-resume-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, CheckpointContent.Capture(first.Model, Components(first), Generators(first), step: 3));
            Train(first, 2);                       // the original keeps going; the checkpoint must not change

            var resumed = Create();               // fresh objects, different state until restored
            var content = Checkpoint.Restore(path, resumed.Model, Components(resumed), Generators(resumed));
            Assert.Equal(3, content.Step);
            Train(resumed, 4);

            var a = straight.Model.StateDict();
            var b = resumed.Model.StateDict();
            foreach (var k in a.Keys)
                Assert.Equal(a[k].ToArray<float>().Select(BitConverter.SingleToInt32Bits), b[k].ToArray<float>().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(straight.Optimizer.ParamGroups[0].Lr, resumed.Optimizer.ParamGroups[0].Lr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
