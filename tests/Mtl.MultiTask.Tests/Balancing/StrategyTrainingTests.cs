// Every registered strategy inside the trainer: it trains the tiny two-task model in every gradient space it supports.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Balancing;

public class StrategyTrainingTests
{
    public static TheoryData<string, GradientSpace> Cases()
    {
        var data = new TheoryData<string, GradientSpace>();
        foreach (var info in StrategyRegistry.All)
        {
            data.Add(info.Name, GradientSpace.SharedParameters);
            if (StrategyRegistry.Create(info.Name).SupportsRepresentation) data.Add(info.Name, GradientSpace.Representation);
        }
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void Trains_a_small_model_and_lowers_both_task_losses(string name, GradientSpace space)
    {
        var model = TinyProblem.Model();
        var strategy = StrategyRegistry.Create(name);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 4, GradientSpace = space, RestoreBest = false }, strategy: strategy);
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        bool bilevel = StrategyRegistry.Get(name).Family == StrategyFamily.Bilevel;   // Auto-Lambda reads validation batches
        trainer.Fit(TinyProblem.Loader(), bilevel ? TinyProblem.Loader(TinyProblem.Data()) : null);
        Assert.All(model.Parameters().SelectMany(p => p.ToArray<float>()), v => Assert.True(float.IsFinite(v)));
        foreach (var task in LearningHarness.SyntheticTasks)
        {
            double first = logs.Where(l => l.Epoch == 0).Average(l => l.TaskLosses[task]);
            double last = logs.Where(l => l.Epoch == 3).Average(l => l.TaskLosses[task]);
            Assert.True(last < first, $"{name} ({space}): task {task} mean loss {first:F4} in epoch 0, {last:F4} in epoch 3");
        }
        Assert.All(logs, l => Assert.Equal(strategy.NeedsGradients, l.GradientCosines is not null));
        Assert.All(logs, l => Assert.Equal(2, l.Weights.Count));
    }
}
