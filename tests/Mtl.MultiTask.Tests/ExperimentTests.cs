// Experiment runs: single-task baselines with the same budget, Δm from the comparison, parameter counts, JSON report.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public sealed class ExperimentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-experiment-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Baselines_report_holds_both_sides_delta_m_parameters_and_times()
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 1200, Dim = 20, Correlation = 0.5, SinTerms = 2, Seed = 3 }).Dataset;
        using var train = new DataLoader(data.Subset(Enumerable.Range(0, 800).ToArray()), new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 1 });
        using var val = new DataLoader(data.Subset(Enumerable.Range(800, 200).ToArray()), new DataLoaderOptions { BatchSize = 200 });
        using var test = new DataLoader(data.Subset(Enumerable.Range(1000, 200).ToArray()), new DataLoaderOptions { BatchSize = 200 });
        var context = LearningHarness.SyntheticContext();
        string reportPath = Path.Combine(_dir, "report.json");
        var experiment = Experiment.FromRegistry("hard", null, context.Trunk, context.Tasks,
            m => new Adam(m.Parameters(), new AdamOptions { Lr = 0.005 }),
            new ExperimentOptions { Baselines = true, Trainer = new TrainerOptions { Epochs = 4 }, ReportPath = reportPath });
        var trained = new List<string>();
        experiment.TrainerCreated += (name, _) => trained.Add(name);
        var report = experiment.Run(train, val, test);

        Assert.Equal(new[] { "mtl", "stl-task1", "stl-task2" }, trained);
        Assert.Equal("hard", report.Architecture);
        Assert.Equal("test", report.EvaluatedOn);
        Assert.Equal(2, report.SingleTask!.Count);
        Assert.Equal(4, report.MultiTask.Epochs);
        // Hard sharing: one trunk + two towers; two baselines: two trunks + the same two towers.
        var model = (HardSharing)experiment.Model!;
        long trunk = model.Encoder.ParameterCount(), towers = model.Heads.ParameterCount();
        Assert.Equal(trunk + towers, report.MultiTask.Parameters);
        Assert.Equal(2 * trunk + towers, report.SingleTaskParameters);
        Assert.True(report.SingleTaskSeconds > 0 && report.MultiTask.Seconds > 0);

        // Δm over the primary metric (MSE, lower is better), computed by hand from the two sides.
        double expected = 100.0 / 2 * report.Tasks.Sum(t =>
        {
            double m = report.MultiTask.Metrics[t]["mse"], s = report.SingleTask[t].Metrics[t]["mse"];
            return -(m - s) / s;
        });
        Assert.Equal(expected, report.DeltaM!.Value, 9);
        Assert.Equal(6, report.Comparison!.Count);   // mse, mae, r2 per task

        var reread = RunReport.FromJson(File.ReadAllText(reportPath));
        Assert.Equal(report.DeltaM, reread.DeltaM);
        Assert.Equal(report.MultiTask.Metrics["task2"]["r2"], reread.MultiTask.Metrics["task2"]["r2"]);
        Assert.Contains("\"delta_m\"", File.ReadAllText(reportPath));
        Assert.Contains("\"single_task\"", File.ReadAllText(reportPath));
    }
}
