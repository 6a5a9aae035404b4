// Shared learning checks for architectures: train briefly on MultiFashion and on synthetic MMoE tasks, return test metrics.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

/// <summary>
/// Small, fixed budgets on which every architecture must learn: MultiFashion from the committed 3,000-image sample
/// (two 10-way tasks, chance 0.1) and the MMoE paper's synthetic regression tasks (correlation 0.5). Each returns the
/// test metrics by task; the caller asserts on them.
/// </summary>
public static class LearningHarness
{
    public static readonly string[] FashionTasks = ["top_left", "bottom_right"];
    public static readonly string[] SyntheticTasks = ["task1", "task2"];

    /// <summary>Two 10-way classification tasks with the default Linear heads.</summary>
    public static TaskSpec[] FashionSpecs() => FashionTasks.Select(t => new TaskSpec(t, TaskKind.Classification, 10)).ToArray();

    /// <summary>Two regression tasks with small towers (Linear 8 → ReLU → Linear 1) as in the MMoE paper.</summary>
    public static TaskSpec[] SyntheticSpecs() => SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
    { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) }).ToArray();

    /// <summary>
    /// The LeNet trunk of the MultiFashion experiments (three stages, width 50). Also reseeds this thread's default
    /// generator, which heads and architecture-specific layers draw from, so results do not depend on test order.
    /// </summary>
    public static ArchitectureContext FashionContext(ulong seed = 3)
    {
        Init.ManualSeed(seed);
        return new(FashionSpecs(), Trunk.LeNet(new Generator(seed)));
    }

    /// <summary>An MLP trunk over the 20 synthetic features (stages of width 32 and 16); reseeds the default generator too.</summary>
    public static ArchitectureContext SyntheticContext(ulong seed = 3)
    {
        Init.ManualSeed(seed);
        return new(SyntheticSpecs(), Trunk.Mlp(20, [32, 16], new Generator(seed)));
    }

    /// <summary>
    /// Trains on MultiFashion (3,000 train / 1,000 test pairs) with SGD 0.05, momentum 0.9, batch 64 for
    /// <paramref name="epochs"/> epochs; returns test metrics (accuracy, macro_f1) per task.
    /// </summary>
    public static EvaluationResult TrainOnMultiFashion(MultiTaskModel model, int epochs = 3, double lr = 0.05)
    {
        var train = MultiDigitBuilder.MultiFashion(Samples.FashionTrain(), new MultiDigitOptions { Seed = 0 });
        var test = MultiDigitBuilder.MultiFashion(Samples.FashionTest(), new MultiDigitOptions { Seed = 1 });
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = lr, Momentum = 0.9 }),
            new TrainerOptions { Epochs = epochs, RestoreBest = false });
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 4 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 250 });
        return trainer.Fit(trainLoader, testLoader).Last!;
    }

    /// <summary>
    /// Trains on the synthetic correlated tasks (3,000 train / 1,000 test, 20 features, two sine terms) with Adam 0.005,
    /// batch 128, for <paramref name="epochs"/> epochs; returns test metrics (mse, mae, r2) per task.
    /// </summary>
    public static EvaluationResult TrainOnSynthetic(MultiTaskModel model, int epochs = 15, double lr = 0.005)
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 4000, Dim = 20, Correlation = 0.5, SinTerms = 2, Seed = 3 }).Dataset;
        var train = data.Subset(Enumerable.Range(0, 3000).ToArray());
        var test = data.Subset(Enumerable.Range(3000, 1000).ToArray());
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = lr }), new TrainerOptions { Epochs = epochs, RestoreBest = false });
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 128, Shuffle = true, Seed = 5 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 500 });
        return trainer.Fit(trainLoader, testLoader).Last!;
    }

    /// <summary>Asserts accuracy above <paramref name="minAccuracy"/> (chance 0.1) on both MultiFashion tasks.</summary>
    public static void AssertLearnsFashion(EvaluationResult result, string architecture, double minAccuracy = 0.4)
    {
        foreach (var t in FashionTasks)
        {
            double acc = result.Metrics[t]["accuracy"];
            Assert.True(acc > minAccuracy, $"{architecture}: MultiFashion '{t}' test accuracy {acc:F3} (chance 0.1, need > {minAccuracy})");
        }
    }

    /// <summary>Asserts R² above <paramref name="minR2"/> (MSE below (1 − minR2) × label variance) on both synthetic tasks.</summary>
    public static void AssertLearnsSynthetic(EvaluationResult result, string architecture, double minR2 = 0.5)
    {
        foreach (var t in SyntheticTasks)
        {
            double r2 = result.Metrics[t]["r2"];
            Assert.True(r2 > minR2, $"{architecture}: synthetic '{t}' test R² {r2:F3}, MSE {result.Metrics[t]["mse"]:F3} (need R² > {minR2})");
        }
    }
}
