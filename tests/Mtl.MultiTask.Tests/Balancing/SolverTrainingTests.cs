// The solver-based strategies and robust aggregators inside the trainer: a few epochs on a small synthetic problem.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Balancing;

public class SolverTrainingTests
{
    private static HardSharing Model()
    {
        var g = new Generator(7);
        var trunk = new Sequential(new Linear(8, 16, generator: g), new ReLU(), new Linear(16, 8, generator: g), new ReLU());
        var tasks = LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
        {
            Head = w => new Sequential(new Linear(w, 4, generator: g), new Tanh(), new Linear(4, 1, generator: g)),
        }).ToArray();
        return new HardSharing(trunk, 8, tasks);
    }

    [Theory]
    [InlineData("cagrad", GradientSpace.SharedParameters)]
    [InlineData("nashmtl", GradientSpace.SharedParameters)]
    [InlineData("fairgrad", GradientSpace.SharedParameters)]
    [InlineData("upgrad", GradientSpace.SharedParameters)]
    [InlineData("upgrad", GradientSpace.Representation)]
    [InlineData("dualproj", GradientSpace.SharedParameters)]
    [InlineData("krum", GradientSpace.SharedParameters)]
    [InlineData("trimmedmean", GradientSpace.Representation)]
    public void Trains_a_small_model_and_lowers_both_task_losses(string name, GradientSpace space)
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 240, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = 5 }).Dataset;
        var model = Model();
        var logs = new List<StepLog>();
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 4, GradientSpace = space }, strategy: StrategyRegistry.Create(name));
        trainer.StepCompleted += logs.Add;
        trainer.Fit(new DataLoader(data, new DataLoaderOptions { BatchSize = 40, Shuffle = true, Seed = 3 }));
        Assert.All(model.Parameters(), p => Assert.All(p.ToArray<float>(), v => Assert.True(float.IsFinite(v))));
        foreach (var task in LearningHarness.SyntheticTasks)
        {
            double first = logs.Where(l => l.Epoch == 0).Average(l => l.TaskLosses[task]);
            double last = logs.Where(l => l.Epoch == 3).Average(l => l.TaskLosses[task]);
            Assert.True(last < first, $"{name}: task {task} loss {first:F4} → {last:F4}");
        }
    }
}
