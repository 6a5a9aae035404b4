// MMoE: gates are distributions over experts, parameter layout, input errors, and learning the MMoE paper's synthetic tasks.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public class MmoeTests
{
    private static TaskSpec[] Regression(params string[] names) =>
        names.Select(n => new TaskSpec(n, TaskKind.Regression, 1) { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) }).ToArray();

    [Fact]
    public void Gates_are_softmax_distributions_and_parameters_are_named()
    {
        var model = new Mmoe(10, Regression("task1", "task2"), new MmoeOptions { NumExperts = 4, ExpertWidth = 6 }, new Generator(1));
        var gates = model.GateWeights(Tensor.RandN([5, 10], new Generator(2)));
        foreach (var g in gates.Values)
        {
            Assert.Equal(new[] { 5, 4 }, g.Shape.ToArray());
            foreach (var s in g.Sum(1).ToArray<float>()) Assert.Equal(1, s, 5);
        }
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("experts.3.0.0.weight", names);
        Assert.Contains("gates.task2.bias", names);
        Assert.Contains("heads.task1.2.weight", names);
        Assert.Equal(new[] { 5, 1 }, model.Forward(Tensor.Zeros([5, 10]))["task1"].Shape.ToArray());
        Assert.Contains("(5, 9)", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([5, 9]))).Message);
    }

    [Fact]
    public void Learns_the_synthetic_correlated_tasks()
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 4000, Dim = 20, Correlation = 0.5, SinTerms = 2, Seed = 3 }).Dataset;
        var train = data.Subset(Enumerable.Range(0, 3000).ToArray());
        var test = data.Subset(Enumerable.Range(3000, 1000).ToArray());
        var model = new Mmoe(20, Regression("task1", "task2"), generator: new Generator(4));
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.005 }), new TrainerOptions { Epochs = 15 });
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 128, Shuffle = true, Seed = 5 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 500 });
        var result = trainer.Fit(trainLoader, testLoader)!;
        foreach (var task in new[] { "task1", "task2" })
        {
            // R² = 1 − MSE / label variance: well above 0 means MSE well below the variance. With the paper's default
            // m = 10 sine terms (α up to 10) most of the variance is high-frequency; two terms keep the budget small.
            double r2 = result.Metrics[task]["r2"];
            Assert.True(r2 > 0.5, $"{task}: test R² {r2:F3}, MSE {result.Metrics[task]["mse"]:F3}");
        }
    }
}
