// Trains one model per preference ray with ParetoMTL and with static λ (the baseline), and collects the two fronts.
using System.Diagnostics;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Training;

/// <summary>A fresh model, its optimiser and (optionally) its learning-rate schedule, for one run of a front.</summary>
public sealed record ParetoRunSetup(MultiTaskModel Model, Optimizer Optimizer, LrScheduler? Scheduler = null);

/// <summary>Options of <see cref="ParetoFront.Run"/>.</summary>
public sealed record ParetoFrontOptions
{
    /// <summary>N, the number of preference rays (and so of runs per method); the ParetoMTL paper uses 5.</summary>
    public int Preferences { get; init; } = 5;

    /// <summary>
    /// The trainer options of every run. A checkpoint folder or metrics log given here gets one sub-folder (or file
    /// suffix) per run, named after the method and ray, so runs never overwrite each other.
    /// </summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>The seed handed to the factory for every run (the same initial model for all, so only the weighting differs).</summary>
    public int Seed { get; init; }

    /// <summary>ParetoMTL's other options (warm-up); <c>Preferences</c>, <c>PreferenceIndex</c> and <c>Rays</c> are set per run.</summary>
    public ParetoMtlOptions ParetoMtl { get; init; } = new();

    /// <summary>The metric plotted for each of the two tasks (null: each task's primary metric, the first it declares).</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>A folder to write <c>pareto_front.svg</c> and <c>pareto_front.json</c> into (null: write nothing).</summary>
    public string? OutputDirectory { get; init; }
}

/// <summary>One trained model of a front.</summary>
/// <param name="Method"><c>paretomtl</c> or <c>static</c>.</param>
/// <param name="PreferenceIndex">The ray's index j (0 … N−1).</param>
/// <param name="Preference">The unit ray uⱼ = (cos θⱼ, sin θⱼ): ParetoMTL's preference (losses along uⱼ), or the static weights λ = uⱼ.</param>
/// <param name="Metrics">Task → metric → value on the evaluation data.</param>
/// <param name="Seconds">Training wall time.</param>
public sealed record ParetoRun(string Method, int PreferenceIndex, IReadOnlyList<double> Preference,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics, double Seconds);

/// <summary>The two fronts: every run, and what the plot shows.</summary>
/// <param name="Tasks">The two task names (x axis, y axis).</param>
/// <param name="PlottedMetrics">The metric plotted for each task.</param>
/// <param name="HigherIsBetter">Per plotted metric: whether larger is better.</param>
/// <param name="EvaluatedOn"><c>validation</c> or <c>test</c>.</param>
/// <param name="Runs">The ParetoMTL runs (rays 0 … N−1), then the static-λ runs (same rays).</param>
public sealed record ParetoFrontResult(IReadOnlyList<string> Tasks, IReadOnlyList<string> PlottedMetrics, IReadOnlyList<bool> HigherIsBetter,
    string EvaluatedOn, IReadOnlyList<ParetoRun> Runs)
{
    /// <summary>The runs of one method (<c>paretomtl</c> or <c>static</c>) in ray order.</summary>
    public IReadOnlyList<ParetoRun> Of(string method) => Runs.Where(r => r.Method == method).OrderBy(r => r.PreferenceIndex).ToList();

    /// <summary>A run's plotted point: (task-1 metric, task-2 metric).</summary>
    public (double X, double Y) Point(ParetoRun run) =>
        (run.Metrics[Tasks[0]][PlottedMetrics[0]], run.Metrics[Tasks[1]][PlottedMetrics[1]]);

    /// <summary>
    /// A self-contained SVG scatter plot: task-1 metric (x) against task-2 metric (y), ParetoMTL as blue circles and
    /// static λ as orange squares, each front joined in ray order, with axis labels, ticks and a legend.
    /// </summary>
    public string ToSvg() => ParetoFrontPlot.Svg(this);

    /// <summary>
    /// The fronts as JSON: <c>tasks</c>, <c>metrics</c>, <c>higher_is_better</c>, <c>evaluated_on</c> and
    /// <c>runs</c> (method, preference_index, preference, x, y, seconds, every metric by task); non-finite numbers are null.
    /// </summary>
    public string ToJson() => ParetoFrontPlot.Json(this);

    /// <summary>Writes <c>pareto_front.svg</c> and <c>pareto_front.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ParetoFront.SvgFileName), ToSvg());
        File.WriteAllText(Path.Combine(directory, ParetoFront.JsonFileName), ToJson());
    }
}

/// <summary>
/// The Pareto front of a two-task problem, two ways: ParetoMTL (Lin et al. 2019) trained once per preference ray
/// uⱼ = (cos θⱼ, sin θⱼ), θⱼ = j·(π/2)/(N−1), and the baseline of static loss weights λ = uⱼ (the <c>static</c>
/// strategy), each run from the same fresh model (the factory's seed). Each run is evaluated on the test data when
/// given, else the validation data (also used by the trainer for model selection). Mind the readings: a ParetoMTL
/// ray uⱼ asks for losses along uⱼ (u = (1, 0) puts up with a relatively large task-1 loss), while λ = (1, 0) trains
/// task 1 only — the two methods sweep the same trade-offs in opposite ray order.
/// </summary>
public static class ParetoFront
{
    /// <summary>The plot's file name in <see cref="ParetoFrontOptions.OutputDirectory"/>.</summary>
    public const string SvgFileName = "pareto_front.svg";

    /// <summary>The points' file name in <see cref="ParetoFrontOptions.OutputDirectory"/>.</summary>
    public const string JsonFileName = "pareto_front.json";

    /// <summary>
    /// Trains 2·N models (N with <c>paretomtl</c>, N with <c>static</c>) built by <paramref name="factory"/> from
    /// <see cref="ParetoFrontOptions.Seed"/>, and returns their metrics; writes the SVG and JSON when an output folder
    /// is set. The model must have exactly two tasks.
    /// </summary>
    public static ParetoFrontResult Run(Func<int, ParetoRunSetup> factory, TrainingSource train, TrainingSource validation,
        ParetoFrontOptions? options = null, TrainingSource? test = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        options ??= new ParetoFrontOptions();
        if (options.Preferences < 2) throw new ArgumentException($"ParetoFront: at least 2 preference rays are needed, got {options.Preferences}");
        var rays = ParetoMtl.PreferenceRays(2, options.Preferences);
        var runs = new List<ParetoRun>(2 * rays.Length);
        string[]? tasks = null, metrics = null;
        bool[]? higher = null;
        foreach (var method in new[] { "paretomtl", "static" })
            for (int j = 0; j < rays.Length; j++)
            {
                cancellation.ThrowIfCancellationRequested();
                var setup = factory(options.Seed) ?? throw new InvalidOperationException("ParetoFront: the factory returned null");
                if (tasks is null) (tasks, metrics, higher) = Plotted(setup.Model, options.Metrics);
                else if (!setup.Model.Tasks.Select(t => t.Name).SequenceEqual(tasks))
                    throw new InvalidOperationException($"ParetoFront: the factory built models with different tasks ({string.Join(", ", tasks)} vs {string.Join(", ", setup.Model.Tasks.Select(t => t.Name))})");
                BalancingStrategy strategy = method == "paretomtl"
                    ? StrategyRegistry.Create(method, options.ParetoMtl with { Preferences = rays.Length, PreferenceIndex = j, Rays = null })
                    : StrategyRegistry.Create(method, new StaticWeightingOptions { Weights = rays[j] });
                var runOptions = RunOptions(options.Trainer, $"{method}-{j}");
                if (runOptions.CheckpointDirectory is { } folder) Directory.CreateDirectory(folder);
                var trainer = new MultiTaskTrainer(setup.Model, setup.Optimizer, runOptions, setup.Scheduler, strategy);
                var clock = Stopwatch.StartNew();
                trainer.Fit(train, validation, cancellation);
                double seconds = clock.Elapsed.TotalSeconds;
                var result = trainer.Evaluate(test ?? validation);
                runs.Add(new ParetoRun(method, j, rays[j], result.Metrics, seconds));
            }
        var front = new ParetoFrontResult(tasks!, metrics!, higher!, test is null ? "validation" : "test", runs);
        if (options.OutputDirectory is { } dir) front.Save(dir);
        return front;
    }

    // The two tasks and the metric plotted for each (checked against what the tasks compute).
    private static (string[] Tasks, string[] Metrics, bool[] Higher) Plotted(MultiTaskModel model, IReadOnlyList<string>? requested)
    {
        var specs = model.Tasks;
        if (specs.Count != 2) throw new ArgumentException($"ParetoFront: a front is drawn for two tasks; the model has {specs.Count} ({string.Join(", ", specs.Select(t => t.Name))})");
        if (requested is not null && requested.Count != 2) throw new ArgumentException($"ParetoFront: Metrics names one metric per task (2), got {requested.Count}");
        var names = new string[2];
        var higher = new bool[2];
        for (int t = 0; t < 2; t++)
        {
            var available = specs[t].CreateMetrics();
            var metric = requested is null ? available[0] : available.FirstOrDefault(m => m.Name == requested[t])
                ?? throw new ArgumentException($"ParetoFront: task '{specs[t].Name}' has no metric '{requested[t]}' (it has: {string.Join(", ", available.Select(m => m.Name))})");
            names[t] = metric.Name;
            higher[t] = metric.HigherIsBetter;
        }
        return (specs.Select(t => t.Name).ToArray(), names, higher);
    }

    // Per-run checkpoint folder and metrics log, so that runs do not overwrite each other.
    private static TrainerOptions RunOptions(TrainerOptions options, string run) => options with
    {
        CheckpointDirectory = options.CheckpointDirectory is { } dir ? Path.Combine(dir, run) : null,
        MetricsLogPath = options.MetricsLogPath is { } log
            ? Path.Combine(Path.GetDirectoryName(log) ?? "", $"{Path.GetFileNameWithoutExtension(log)}.{run}{Path.GetExtension(log)}")
            : null,
    };
}
