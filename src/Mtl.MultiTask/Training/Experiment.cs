// A complete run: train the multi-task model, optionally one single-task baseline per task with the same budget, report.
using System.Diagnostics;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Tasks;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Training;

/// <summary>Options of <see cref="Experiment"/>.</summary>
public sealed record ExperimentOptions
{
    /// <summary>Also train one single-task model per task (same encoder, that task's head, same trainer options).</summary>
    public bool Baselines { get; init; }

    /// <summary>The trainer options for every model of the run (checkpoint folders get a sub-folder per model).</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>Name recorded in the report (e.g. the registry name of the architecture).</summary>
    public string Architecture { get; init; } = "custom";

    /// <summary>
    /// Baseline fallback routing (needs <see cref="Baselines"/>): per task, the multi-task model and that task's
    /// single-task model are compared on the validation data by the task's primary metric, and a
    /// <see cref="Ensembles.RoutedModel"/> sends each task to the better one; the report's <c>routing</c> gives the routes
    /// and the routed model's metrics on the evaluation data.
    /// </summary>
    public bool Fallback { get; init; }

    /// <summary>Where to write <c>report.json</c> (null = not written).</summary>
    public string? ReportPath { get; init; }

    /// <summary>
    /// Builds the balancing strategy of the multi-task model (called once per run; strategies keep state). Null = the
    /// tasks' static weights. Single-task baselines never use one (there is nothing to balance).
    /// </summary>
    public Func<Balancing.BalancingStrategy>? Strategy { get; init; }
}

/// <summary>
/// Runs a multi-task experiment as papers report it: the multi-task model is trained (with validation-based model
/// selection), then — with <see cref="ExperimentOptions.Baselines"/> — each task alone on the same architecture
/// built for that single task, with the same trainer options; all are evaluated on the test data and compared in a
/// <see cref="RunReport"/> (per-task metrics, Δm, parameter counts, wall times).
/// </summary>
/// <param name="buildModel">Builds the model for a set of tasks (all tasks, or one for a baseline).</param>
/// <param name="buildOptimizer">Builds the optimiser for a model.</param>
/// <param name="tasks">The tasks.</param>
/// <param name="options">Run options.</param>
public sealed class Experiment(Func<IReadOnlyList<TaskSpec>, MultiTaskModel> buildModel, Func<MultiTaskModel, Optimizer> buildOptimizer,
    IReadOnlyList<TaskSpec> tasks, ExperimentOptions? options = null)
{
    private readonly ExperimentOptions _options = options ?? new ExperimentOptions();
    private string? _strategyName;

    /// <summary>An experiment over a registered architecture (see <see cref="ArchitectureRegistry"/>).</summary>
    public static Experiment FromRegistry(string architecture, object? architectureOptions, Trunk trunk, IReadOnlyList<TaskSpec> tasks,
        Func<MultiTaskModel, Optimizer> buildOptimizer, ExperimentOptions? options = null) =>
        new(ts => ArchitectureRegistry.Create(architecture, new ArchitectureContext(ts, trunk), architectureOptions), buildOptimizer, tasks,
            (options ?? new ExperimentOptions()) with { Architecture = architecture });

    /// <summary>Called with each trainer before it trains ("mtl" or "stl:{task}"), to attach logging or callbacks.</summary>
    public event Action<string, MultiTaskTrainer>? TrainerCreated;

    /// <summary>The multi-task model of the last <see cref="Run"/>.</summary>
    public MultiTaskModel? Model { get; private set; }

    /// <summary>The single-task models of the last <see cref="Run"/> with baselines, by task (empty without).</summary>
    public IReadOnlyDictionary<string, MultiTaskModel> SingleTaskModels { get; private set; } = new Dictionary<string, MultiTaskModel>();

    /// <summary>The routed model of the last <see cref="Run"/> with <see cref="ExperimentOptions.Fallback"/> (null without).</summary>
    public Ensembles.RoutedModel? Routed { get; private set; }

    /// <summary>Trains and evaluates everything; evaluation uses <paramref name="test"/>, or the validation data without it.</summary>
    /// <exception cref="ArgumentException"><see cref="ExperimentOptions.Fallback"/> without <see cref="ExperimentOptions.Baselines"/>.</exception>
    public RunReport Run(TrainingSource train, TrainingSource validation, TrainingSource? test = null)
    {
        TaskSpec.Validate(tasks);
        if (_options.Fallback && !_options.Baselines)
            throw new ArgumentException("Experiment: Fallback routing needs Baselines (it routes tasks to their single-task models)");
        var evaluation = test ?? validation;
        var (mtl, model) = TrainOne("mtl", tasks, train, validation, evaluation);
        Model = model;
        Routed = null;
        Dictionary<string, ModelReport>? single = null;
        var singleModels = new Dictionary<string, MultiTaskModel>(StringComparer.Ordinal);
        if (_options.Baselines)
        {
            single = new Dictionary<string, ModelReport>(StringComparer.Ordinal);
            foreach (var t in tasks)
            {
                var (stl, stlModel) = TrainOne($"stl-{t.Name}", [t], train.ForTask(t.Name), validation.ForTask(t.Name), evaluation.ForTask(t.Name));
                single[t.Name] = stl;
                singleModels[t.Name] = stlModel;
            }
        }
        SingleTaskModels = singleModels;
        var report = RunReport.Create(_options.Architecture, _strategyName, tasks, test is null ? "validation" : "test", mtl, single);
        if (_options.Fallback)
        {
            Routed = Ensembles.RoutedModel.Choose(model, singleModels, validation);
            report = report with { Routing = Ensembles.FallbackReport.Create(Routed, Evaluator.Run(Routed, evaluation)) };
        }
        if (_options.ReportPath is not null) report.Save(_options.ReportPath);
        return report;
    }

    private (ModelReport Report, MultiTaskModel Model) TrainOne(string name, IReadOnlyList<TaskSpec> modelTasks, TrainingSource train,
        TrainingSource validation, TrainingSource evaluation)
    {
        var model = buildModel(modelTasks);
        var trainerOptions = _options.Trainer;
        if (trainerOptions.CheckpointDirectory is { } dir) trainerOptions = trainerOptions with { CheckpointDirectory = Path.Combine(dir, name) };
        if (trainerOptions.MetricsLogPath is { } log)
            trainerOptions = trainerOptions with { MetricsLogPath = Path.Combine(Path.GetDirectoryName(log) ?? "", $"{Path.GetFileNameWithoutExtension(log)}.{name}{Path.GetExtension(log)}") };
        var strategy = modelTasks.Count > 1 ? _options.Strategy?.Invoke() : null;
        if (strategy is not null) _strategyName = strategy.Name;
        var trainer = new MultiTaskTrainer(model, buildOptimizer(model), trainerOptions, strategy: strategy);
        TrainerCreated?.Invoke(name, trainer);
        var clock = Stopwatch.StartNew();
        var fit = trainer.Fit(train, validation);
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = trainer.Evaluate(evaluation).Metrics;
        return (new ModelReport(metrics, model.ParameterCount(trainableOnly: true), seconds, fit.Epochs, fit.BestEpoch), model);
    }
}
