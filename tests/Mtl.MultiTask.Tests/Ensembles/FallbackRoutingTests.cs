// Baseline fallback routing: per task the better of the multi-task and single-task model on validation, in Experiment and its report.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Ensembles;

public sealed class FallbackRoutingTests : IDisposable
{
    private const int N = 60;
    private static readonly TaskSpec[] Tasks = [new("a", TaskKind.Classification, 3), new("b", TaskKind.Regression, 1)];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-fallback-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static int Label(int i) => i % 3;
    private static double Target(int i) => Math.Sin(i);

    // Class logits right (0.8 on the label) or wrong (0.8 on the next class); values exact or off by `error`.
    private static double[][] ClassRows(bool right) => Enumerable.Range(0, N).Select(i =>
        Enumerable.Range(0, 3).Select(c => Math.Log(c == (right ? Label(i) : (Label(i) + 1) % 3) ? 0.8 : 0.1)).ToArray()).ToArray();

    private static double[][] ValueRows(double error) => Enumerable.Range(0, N).Select(i => new[] { Target(i) + error }).ToArray();

    // The multi-task model is right on `a` and off by 1 on `b`; the single-task models wrong on `a`, off by 0.1 on `b`.
    private static TableModel Shared() => new(Tasks, new Dictionary<string, double[][]> { ["a"] = ClassRows(true), ["b"] = ValueRows(1) });
    private static TableModel SingleA() => new([Tasks[0]], new Dictionary<string, double[][]> { ["a"] = ClassRows(false) });
    private static TableModel SingleB() => new([Tasks[1]], new Dictionary<string, double[][]> { ["b"] = ValueRows(0.1) });

    private static DataLoader Loader() => TableModel.Loader(N,
        LabelColumn.Classes("a", 3, Enumerable.Range(0, N).Select(Label).ToArray()),
        LabelColumn.Vectors("b", 1, Enumerable.Range(0, N).Select(i => (float)Target(i)).ToArray()));

    [Fact]
    public void Each_task_goes_to_the_model_better_on_validation_and_gets_exactly_its_outputs()
    {
        var shared = Shared();
        var single = new Dictionary<string, MultiTaskModel> { ["a"] = SingleA(), ["b"] = SingleB() };
        using var validation = Loader();
        var routed = RoutedModel.Choose(shared, single, validation);

        Assert.Equal(RoutedModel.MultiTaskRoute, routed.Routes["a"]);     // accuracy 1 vs 0 (higher is better)
        Assert.Equal(RoutedModel.SingleTaskRoute, routed.Routes["b"]);    // MSE 1 vs 0.01 (lower is better)
        var b = routed.Choices.Single(c => c.Task == "b");
        Assert.Equal("mse", b.Metric);
        Assert.False(b.HigherIsBetter);
        Assert.Equal(1.0, b.MultiTask, 5);
        Assert.Equal(0.01, b.SingleTask, 5);

        var x = TableModel.Indices(7);
        var outputs = routed.Forward(x);
        Assert.Equal(shared.Forward(x)["a"].ToDoubleArray(), outputs["a"].ToDoubleArray());
        Assert.Equal(single["b"].Forward(x)["b"].ToDoubleArray(), outputs["b"].ToDoubleArray());

        var metrics = Evaluator.Run(routed, validation).Metrics;
        Assert.Equal(1.0, metrics["a"]["accuracy"]);
        Assert.Equal(0.01, metrics["b"]["mse"], 5);

        // A model no route uses is not run.
        var onlyShared = new RoutedModel(shared, single, new Dictionary<string, string> { ["a"] = "multi_task", ["b"] = "multi_task" });
        int before = single["b"].Forward(x).Count;
        var calls = ((TableModel)single["b"]).Calls;
        onlyShared.Forward(x);
        Assert.Equal(calls, ((TableModel)single["b"]).Calls);
        Assert.True(before > 0);
    }

    [Fact]
    public void Bad_routes_are_refused_naming_the_task()
    {
        var single = new Dictionary<string, MultiTaskModel> { ["a"] = SingleA() };
        Assert.Contains("'b'", Assert.Throws<ArgumentException>(() => new RoutedModel(Shared(), single,
            new Dictionary<string, string> { ["a"] = "multi_task", ["b"] = "single_task" })).Message);
        Assert.Contains("'elsewhere'", Assert.Throws<ArgumentException>(() => new RoutedModel(Shared(), single,
            new Dictionary<string, string> { ["a"] = "elsewhere", ["b"] = "multi_task" })).Message);
        Assert.Contains("no route for task 'b'", Assert.Throws<ArgumentException>(() => new RoutedModel(Shared(), single,
            new Dictionary<string, string> { ["a"] = "multi_task" })).Message);
    }

    [Fact]
    public void Experiment_with_fallback_reports_routes_and_the_routed_metrics_and_round_trips()
    {
        using var train = Loader();
        using var validation = Loader();
        using var test = Loader();
        string path = Path.Combine(_dir, "report.json");
        // Training cannot move the tables (learning rate ~0): the routes are those the tables dictate.
        var experiment = new Experiment(ts => ts.Count == 2 ? Shared() : ts[0].Name == "a" ? SingleA() : SingleB(),
            m => new SGD(m.Parameters(), new SGDOptions { Lr = 1e-12 }), Tasks,
            new ExperimentOptions { Baselines = true, Fallback = true, Trainer = new TrainerOptions { Epochs = 1 }, ReportPath = path });
        var report = experiment.Run(train, validation, test);

        Assert.NotNull(report.Routing);
        Assert.Equal("multi_task", report.Routing!.Routes["a"]);
        Assert.Equal("single_task", report.Routing.Routes["b"]);
        Assert.Equal(1.0, report.Routing.Metrics["a"]["accuracy"]);
        Assert.Equal(0.01, report.Routing.Metrics["b"]["mse"], 5);
        Assert.Equal(2, report.Routing.Validation.Count);
        Assert.Equal(2, experiment.SingleTaskModels.Count);
        Assert.Same(experiment.Model, experiment.Routed!.MultiTask);

        string json = File.ReadAllText(path);
        Assert.Contains("\"routing\"", json);
        Assert.Contains("\"routes\"", json);
        var reread = RunReport.FromJson(json);
        Assert.Equal(report.Routing.Routes, reread.Routing!.Routes);
        Assert.Equal(report.Routing.Metrics["b"]["mse"], reread.Routing.Metrics["b"]["mse"]);
        Assert.Equal(report.Routing.Validation[1], reread.Routing.Validation[1]);
    }

    [Fact]
    public void Without_fallback_the_report_has_no_routing_key_and_fallback_needs_baselines()
    {
        using var train = Loader();
        using var validation = Loader();
        var experiment = new Experiment(ts => Shared(), m => new SGD(m.Parameters(), new SGDOptions { Lr = 1e-12 }), Tasks,
            new ExperimentOptions { Trainer = new TrainerOptions { Epochs = 1 } });
        var report = experiment.Run(train, validation);
        Assert.Null(report.Routing);
        Assert.DoesNotContain("routing", report.ToJson());
        Assert.Null(experiment.Routed);

        var needs = new Experiment(ts => Shared(), m => new SGD(m.Parameters(), new SGDOptions { Lr = 1e-12 }), Tasks,
            new ExperimentOptions { Fallback = true, Trainer = new TrainerOptions { Epochs = 1 } });
        Assert.Contains("Baselines", Assert.Throws<ArgumentException>(() => needs.Run(train, validation)).Message);
    }
}
