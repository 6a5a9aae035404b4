// Test accuracy of a model per task, and the SGD recipe the MultiFashion benchmarks share.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;

namespace Mtl.Bench;

/// <summary>Evaluation and optimiser helpers shared by the MultiFashion benchmarks.</summary>
internal static class BenchEval
{
    /// <summary>Each task's accuracy on <paramref name="test"/> (batches of 1,000).</summary>
    public static Dictionary<string, double> Accuracy(MultiTaskModel model, IMultiTaskDataset test)
    {
        using var loader = new DataLoader(test, new DataLoaderOptions { BatchSize = 1000 });
        return Evaluator.Run(model, loader).Metrics.ToDictionary(kv => kv.Key, kv => kv.Value["accuracy"]);
    }

    /// <summary>SGD lr 0.05 momentum 0.9 (the strategy-table recipe for LeNet on MultiFashion).</summary>
    public static Optimizer Sgd(MultiTaskModel model) => new SGD(model.Parameters(), new SGDOptions { Lr = 0.05, Momentum = 0.9 });
}
