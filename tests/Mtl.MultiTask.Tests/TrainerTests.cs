// The trainer on real data: LeNet hard sharing learns both MultiFashion tasks from the committed sample; NaN handling.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public class TrainerTests
{
    private static HardSharing LeNet(string[] tasks, Generator g) => new(
        new Sequential(new Conv2d(1, 10, 5, generator: g), new MaxPool2d(2), new ReLU(), new Conv2d(10, 20, 5, generator: g),
            new MaxPool2d(2), new ReLU(), new Flatten(), new Linear(320, 50, generator: g), new ReLU()),
        50, tasks.Select(t => new TaskSpec(t, TaskKind.Classification, 10)).ToArray());

    [Fact]
    public void LeNet_hard_sharing_learns_both_MultiFashion_tasks_from_the_committed_sample()
    {
        Init.ManualSeed(0);
        var train = MultiDigitBuilder.MultiFashion(Samples.FashionTrain(), new MultiDigitOptions { Seed = 0 });
        var test = MultiDigitBuilder.MultiFashion(Samples.FashionTest(), new MultiDigitOptions { Seed = 1 });
        var model = LeNet(["top_left", "bottom_right"], new Generator(3));
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05, Momentum = 0.9 }),
            new TrainerOptions { Epochs = 3 });
        var losses = new List<double>();
        trainer.StepCompleted += s => losses.Add(s.Total);
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 4 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 256 });
        var result = trainer.Fit(trainLoader, testLoader)!;
        Assert.Equal(3 * trainLoader.BatchesPerEpoch, trainer.Step);
        Assert.True(losses.TakeLast(10).Average() < losses.Take(10).Average() * 0.8, "training loss did not fall");
        foreach (var task in new[] { "top_left", "bottom_right" })
            Assert.True(result.Metrics[task]["accuracy"] > 0.4, $"{task}: test accuracy {result.Metrics[task]["accuracy"]:F3} (chance 0.1)");
    }

    [Fact]
    public void A_diverging_loss_names_the_task_and_the_step()
    {
        Init.ManualSeed(0);   // the heads draw from this thread's default generator: fix it so the run does not depend on test order
        var data = MultiDigitBuilder.MultiFashion(Samples.FashionTrain(), new MultiDigitOptions { Seed = 0 });
        var model = LeNet(["top_left", "bottom_right"], new Generator(3));
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 1e6, Momentum = 0.9 }),
            new TrainerOptions { Epochs = 1 });
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 64 });
        var e = Assert.Throws<LossDivergedException>(() => trainer.Fit(loader));
        Assert.Contains("loss diverged", e.Message);
        Assert.Contains(e.Task, new[] { "top_left", "bottom_right" });
        Assert.True(e.Step > 0);
    }
}
