// Adding a task to a trained model: only the new task's parameters train, the old tasks' outputs stay bit-identical.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.MultiTask.Transfer;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Transfer;

public class TaskAdditionTests
{
    // Four synthetic regression tasks (two pairs, d = 20; task1 and task2 correlate at 0.9): the model is trained on task1 +
    // task3, then task2 is added — a new task related to an old one, so the frozen features serve it.
    private static readonly InMemoryDataset Data =
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 1200, Dim = 20, Correlation = 0.9, SinTerms = 2, Pairs = 2, Seed = 4 }).Dataset;

    private static TaskSpec Task(string name) => new(name, TaskKind.Regression, 1)
    { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) };

    private static Func<IReadOnlyList<TaskSpec>, MultiTaskModel> Builder(string architecture, object? options = null)
    {
        var trunk = Trunk.Mlp(20, [32, 16], new Generator(3));
        return ts => ArchitectureRegistry.Create(architecture, new ArchitectureContext(ts, trunk), options);
    }

    private static MultiTaskModel TrainedOnTwoTasks(Func<IReadOnlyList<TaskSpec>, MultiTaskModel> build)
    {
        Init.ManualSeed(5);
        var model = build([Task("task1"), Task("task3")]);
        using var loader = new DataLoader(Data, new DataLoaderOptions { BatchSize = 100, Shuffle = true, Seed = 1 });
        new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 4 }).Fit(loader);
        return model;
    }

    private static Dictionary<string, float[]> Outputs(MultiTaskModel model, params string[] tasks)
    {
        using var noGrad = GradMode.NoGrad();
        model.Eval();
        var x = Tensor.From(Data.AllInputs().AsSpan(0, 50 * 20), 50, 20);
        var y = model.Forward(x);
        model.Train();
        return tasks.ToDictionary(t => t, t => y[t].ToArray<float>());
    }

    [Theory]
    [InlineData("hard")]
    [InlineData("mmoe")]
    public void Only_the_new_tasks_parameters_train_and_the_old_outputs_do_not_move(string architecture)
    {
        var build = Builder(architecture);
        var trained = TrainedOnTwoTasks(build);
        var before = Outputs(trained, "task1", "task3");

        var extended = TaskAddition.Add(trained, [Task("task2")], build);
        Assert.Equal(["task1", "task3", "task2"], extended.Model.Tasks.Select(t => t.Name));
        Assert.Equal(before, Outputs(extended.Model, "task1", "task3"));                  // copied exactly
        Assert.NotEmpty(extended.TrainableParameters);
        Assert.All(extended.TrainableParameters, n => Assert.Contains("task2", n));        // heads / gates / towers of task2 only
        Assert.Equal(extended.Report.MissingTargets.Where(n => extended.Model.NamedParameters().Any(p => p.Name == n)), extended.TrainableParameters);

        using var loader = new DataLoader(Data, new DataLoaderOptions { BatchSize = 100, Shuffle = true, Seed = 2 });
        var view = extended.NewTasks;
        Assert.Equal(["task2"], view.Tasks.Select(t => t.Name));
        var fit = new MultiTaskTrainer(view, new Adam(view.Parameters(), new AdamOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 6 }).Fit(loader, loader);

        Assert.Equal(before, Outputs(extended.Model, "task1", "task3"));                  // old tasks untouched by training
        Assert.True(fit.Last!.Metrics["task2"]["r2"] > 0.5, $"{architecture}: task2 R² {fit.Last.Metrics["task2"]["r2"]:F3}");
    }

    [Fact]
    public void Unfrozen_addition_trains_everything_and_mistakes_are_named()
    {
        var build = Builder("hard");
        var trained = TrainedOnTwoTasks(build);
        var open = TaskAddition.Add(trained, [Task("task2")], build, freezeExisting: false);
        Assert.Equal(open.Model.NamedParameters().Select(p => p.Name), open.TrainableParameters);

        var twice = Assert.Throws<ArgumentException>(() => TaskAddition.Add(trained, [Task("task1")], build));
        Assert.Contains("task 'task1' is already a task of the trained model", twice.Message);

        var otherTrunk = Trunk.Mlp(20, [64, 16]);
        var wrong = Assert.Throws<ArgumentException>(() => TaskAddition.Add(trained, [Task("task2")],
            ts => ArchitectureRegistry.Create("hard", new ArchitectureContext(ts, otherTrunk))));
        Assert.Contains("encoder.0.0.weight: trained (32, 20), extended (64, 20)", wrong.Message);

        var view = Assert.Throws<ArgumentException>(() => new TaskSubset(trained, ["task9"]));
        Assert.Contains("the model has no task 'task9'", view.Message);
    }
}
