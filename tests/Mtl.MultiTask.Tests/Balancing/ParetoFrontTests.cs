// ParetoFront on a tiny two-task problem: every run yields metrics, the SVG is XML with 2·N points, the JSON matches,
// and the static-λ extremes rank the tasks as they should.
using System.Text.Json;
using System.Xml.Linq;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests.Balancing;

public sealed class ParetoFrontTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-front-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static ParetoRunSetup Setup(int seed)
    {
        Init.ManualSeed((ulong)seed);
        var g = new Generator((ulong)seed);
        var tasks = LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)).ToArray();
        var model = new HardSharing(new Sequential(new Linear(8, 16, generator: g), new ReLU()), 16, tasks);
        return new ParetoRunSetup(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.02 }));
    }

    [Fact]
    public void Three_rays_give_six_runs_a_parseable_plot_and_the_expected_static_extremes()
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 300, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = 6 }).Dataset;
        using var train = new DataLoader(data.Subset(Enumerable.Range(0, 200).ToArray()), new DataLoaderOptions { BatchSize = 40, Shuffle = true, Seed = 1 });
        using var validation = new DataLoader(data.Subset(Enumerable.Range(200, 100).ToArray()), new DataLoaderOptions { BatchSize = 100 });
        var front = ParetoFront.Run(Setup, train, validation, new ParetoFrontOptions
        {
            Preferences = 3,
            Trainer = new TrainerOptions { Epochs = 6, RestoreBest = false },
            OutputDirectory = _dir,
        });

        foreach (var r in front.Runs) output.WriteLine($"{r.Method} ray {r.PreferenceIndex} ({string.Join(", ", r.Preference.Select(x => x.ToString("0.###")))}): mse {front.Point(r)} in {r.Seconds:F2} s");
        Assert.Equal(LearningHarness.SyntheticTasks, front.Tasks);
        Assert.Equal(["mse", "mse"], front.PlottedMetrics);
        Assert.Equal(6, front.Runs.Count);
        Assert.All(front.Runs, r => Assert.All(front.Tasks, t => Assert.True(double.IsFinite(r.Metrics[t]["mse"]), $"{r.Method} ray {r.PreferenceIndex}: {t}")));
        Assert.Equal([0, 1, 2], front.Of("paretomtl").Select(r => r.PreferenceIndex));

        // λ = (1, 0) trains task 1 only (task 2's head never moves), λ = (0, 1) the reverse.
        var statics = front.Of("static");
        Assert.Equal(new[] { 1.0, 0.0 }, statics[0].Preference);
        var (x0, y0) = front.Point(statics[0]);
        var (x2, y2) = front.Point(statics[2]);
        Assert.True(x0 < x2, $"task-1 mse: λ=(1,0) {x0} vs λ=(0,1) {x2}");
        Assert.True(y2 < y0, $"task-2 mse: λ=(0,1) {y2} vs λ=(1,0) {y0}");

        // The SVG is XML with one marker per run, a legend and both axis labels.
        var svg = XDocument.Parse(File.ReadAllText(Path.Combine(_dir, ParetoFront.SvgFileName)));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        var points = svg.Descendants().Where(e => ((string?)e.Attribute("class"))?.StartsWith("point ", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(6, points.Count);
        Assert.Equal(3, points.Count(p => ((string)p.Attribute("class")!).EndsWith("paretomtl", StringComparison.Ordinal)));
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains(texts, t => t.StartsWith("task1: mse", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("task2: mse", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("ParetoMTL", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("static λ", StringComparison.Ordinal));

        // The JSON holds the same points.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, ParetoFront.JsonFileName)));
        var runs = json.RootElement.GetProperty("runs");
        Assert.Equal(6, runs.GetArrayLength());
        Assert.Equal(x0, runs[3].GetProperty("x").GetDouble());
        Assert.Equal("static", runs[3].GetProperty("method").GetString());
    }

    [Fact]
    public void A_model_without_exactly_two_tasks_is_refused()
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 40, Dim = 8, Seed = 1 }).Dataset;
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 20 });
        ParetoRunSetup One(int seed)
        {
            var model = new HardSharing(new Sequential(new Linear(8, 4), new ReLU()), 4, [new TaskSpec(LearningHarness.SyntheticTasks[0], TaskKind.Regression, 1)]);
            return new ParetoRunSetup(model, new SGD(model.Parameters()));
        }
        var e = Assert.Throws<ArgumentException>(() => ParetoFront.Run(One, loader, loader, new ParetoFrontOptions { Preferences = 3 }));
        Assert.Contains("two tasks", e.Message);
    }
}
