// Runs one training job: builds everything from the config, trains (or resumes), evaluates on test, trains baselines.
using System.Diagnostics;
using System.Text.Json;
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Cli.Model;
using Mtl.Cli.Progress;
using Mtl.Cli.Report;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Logging;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN.Serialization;
using Mtl.Threading;

namespace Mtl.Cli.Runs;

/// <summary>How a training job ended.</summary>
/// <param name="Interrupted">True when the cancellation token stopped it (a checkpoint was written).</param>
/// <param name="Report">The run report (null when interrupted).</param>
/// <param name="Fit">The multi-task model's fit result (null when interrupted during the baselines).</param>
/// <param name="Step">Optimisation steps of the multi-task model so far.</param>
/// <param name="Epoch">Epochs of the multi-task model so far.</param>
internal sealed record TrainOutcome(bool Interrupted, RunReport? Report, FitResult? Fit, long Step, int Epoch);

/// <summary>
/// One training job, built before anything is written so that a config mistake leaves no run folder behind:
/// <see cref="Prepare"/> builds data, model, optimiser, schedule, strategy and trainer; <see cref="Execute"/> trains
/// (continuing from checkpoints/last.safetensors when resuming), evaluates the model it keeps on the test split,
/// trains the single-task baselines when asked (and, with <c>fallback</c>, routes each task to the better model on
/// validation), and writes report.json and report.html.
/// </summary>
internal sealed class TrainSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly RunFolder _folder;
    private readonly DataBundle _data;
    private readonly TaskSpec[] _tasks;
    private readonly MultiTaskTrainer _trainer;
    private readonly TrainerOptions _options;

    private TrainSession(RunConfig config, RunFolder folder, DataBundle data, TaskSpec[] tasks, MultiTaskTrainer trainer, TrainerOptions options)
    {
        _config = config;
        _folder = folder;
        _data = data;
        _tasks = tasks;
        _trainer = trainer;
        _options = options;
    }

    /// <summary>What the config's <c>transfer</c> section loaded and froze (null when it asks for nothing).</summary>
    internal TransferOutcome? Transfer { get; private init; }

    /// <summary>The teachers and distiller of the config's <c>distill</c> section (null when it asks for none).</summary>
    internal RunDistillation? Distillation { get; private init; }

    /// <summary>The multi-task trainer (tests attach to its events).</summary>
    public MultiTaskTrainer Trainer => _trainer;

    /// <summary>Builds everything for <paramref name="config"/>; files go to <paramref name="folder"/> (not created here).</summary>
    /// <exception cref="ConfigException">A value only building can check is wrong.</exception>
    public static TrainSession Prepare(RunConfig config, RunFolder folder)
    {
        if (config.Trainer.Threads is { } n) MtlThreads.Count = n;
        if (config.Fallback && !config.Baselines)
            throw new ConfigException(config.Where("fallback"), "fallback: true routes tasks to their single-task models: it needs baselines: true (or --baselines)");
        var data = RunBuilder.Data(config);
        try
        {
            var tasks = RunBuilder.Tasks(config, data);
            if (config.Fallback && data.Validation is null)
                throw new ConfigException(config.Where("fallback"), "fallback: true chooses each task's model on the validation split: set data.validation_fraction above 0");
            var model = RunBuilder.Model(config, data, tasks);
            var transfer = RunTransfer.Apply(config, model);
            var distillation = RunDistillation.Build(config, data, tasks);
            var optimizer = RunBuilder.Optimizer(config, model);
            var schedule = RunBuilder.Schedule(config, optimizer);
            var strategy = RunBuilder.Strategy(config);
            _ = RunBuilder.TaskScheduler(config);   // its option values are checked now, before the run folder exists
            var options = RunBuilder.TrainerOptions(config, folder.CheckpointsPath, folder.MetricsJsonlPath, data.Validation is not null)
                with { Distillation = distillation?.Distiller };
            var trainer = RunBuilder.Trainer(config, model, optimizer, options, schedule, strategy);
            trainer.ConfigJson = JsonSerializer.Serialize(new Dictionary<string, string> { ["format"] = "mtl-run-config/1", ["yaml"] = ConfigWriter.ToYaml(config) });
            return new TrainSession(config, folder, data, tasks, trainer, options) { Transfer = transfer, Distillation = distillation };
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Trains and reports; <paramref name="resume"/> continues from the run's last checkpoint.</summary>
    public TrainOutcome Execute(bool resume, ITrainingView view, CancellationToken cancellation)
    {
        var c = _config;
        if (resume)
        {
            if (!File.Exists(_folder.LastCheckpoint))
                throw new ConfigException(null, $"{_folder.Path} has no {RunFolder.CheckpointsFolder}/{MultiTaskTrainer.LastFileName} to resume from");
            _trainer.Resume(_folder.LastCheckpoint);
            _folder.TruncateLogs(_trainer.Step);
            view.Line($"resuming {_folder.Path} at step {_trainer.Step} (epoch {_trainer.Epoch} of {c.Trainer.Epochs} done)");
        }
        else if (Transfer is { } transfer)
        {
            File.WriteAllText(_folder.TransferPath, transfer.ToString());
            view.Line($"transfer: {transfer.Report?.Loaded.Count ?? 0} tensor(s) loaded from {c.Transfer.From ?? "nothing"}, {transfer.Frozen.Count} parameter(s) frozen (details in {RunFolder.TransferFile})");
        }
        var train = _data.Source(_data.Train, RunBuilder.Loader(c, true), training: true, scheduler: RunBuilder.TaskScheduler(c));
        var validation = _data.Validation is { } v ? _data.Source(v, RunBuilder.Loader(c, false), training: false) : null;
        var test = _data.Source(_data.Test, RunBuilder.Loader(c, false), training: false);

        if (Distillation is { } distillation && !TrainTeachers(distillation, resume, view, cancellation))
            return new TrainOutcome(true, null, null, _trainer.Step, _trainer.Epoch);

        using var csv = new MetricsCsv(_folder.MetricsCsvPath, _tasks.Select(t => t.Name).ToList());
        _trainer.Callbacks.Add(csv);
        using var tensorboard = new TensorBoardLogger(_folder.TensorBoardPath);
        _trainer.Callbacks.Add(tensorboard);
        view.Follow(_trainer, "mtl");
        var fit = _trainer.Fit(train, validation, cancellation);
        if (fit.Reason == StopReason.Cancelled) return new TrainOutcome(true, null, fit, _trainer.Step, _trainer.Epoch);
        var metrics = _trainer.Evaluate(test).Metrics;
        var mtl = new ModelReport(metrics, _trainer.Model.ParameterCount(trainableOnly: true), fit.Seconds, fit.Epochs, fit.BestEpoch);

        Dictionary<string, ModelReport>? single = null;
        var singleModels = new Dictionary<string, MultiTaskModel>(StringComparer.Ordinal);
        if (c.Baselines)
        {
            single = new Dictionary<string, ModelReport>(StringComparer.Ordinal);
            foreach (var task in _tasks)
            {
                var baseline = Baseline(task, view, cancellation);
                if (baseline is null) return new TrainOutcome(true, null, fit, _trainer.Step, _trainer.Epoch);
                single[task.Name] = baseline.Value.Report;
                singleModels[task.Name] = baseline.Value.Model;
            }
        }
        var report = Report(mtl, single);
        if (c.Fallback && validation is not null)
        {
            var routed = RoutedModel.Choose(_trainer.Model, singleModels, validation);
            report = report with { Routing = FallbackReport.Create(routed, Evaluator.Run(routed, test)) };
            view.Line("fallback routing: " + string.Join(", ", routed.Routes.Select(kv => $"{kv.Key} → {kv.Value}")));
        }
        report.Save(_folder.ReportPath);
        HtmlReport.Write(_folder.HtmlReportPath, [ReportRun.Load(_folder)]);
        return new TrainOutcome(false, report, fit, _trainer.Step, _trainer.Epoch);
    }

    // One single-task model: the same architecture built for this task alone, same trunk, optimiser, schedule and
    // trainer settings, on that task's data; no strategy (one task) and no checkpoints. Null when cancelled.
    private (ModelReport Report, MultiTaskModel Model)? Baseline(TaskSpec task, ITrainingView view, CancellationToken cancellation)
    {
        var model = RunBuilder.Model(_config, _data, [task]);
        var options = _options with { CheckpointDirectory = null, MetricsLogPath = Path.Combine(_folder.Path, $"metrics.stl-{task.Name}.jsonl") };
        if (TrainAlone("stl", task, model, options, resume: false, view, cancellation) is not { } run) return null;
        return (new ModelReport(run.Metrics, model.ParameterCount(trainableOnly: true), run.Seconds, run.Fit.Epochs, run.Fit.BestEpoch), model);
    }

    // Trains `model` on `task`'s data alone — a single-task baseline ("stl") or a distillation teacher ("teacher") — with
    // its own TensorBoard run and progress label, then evaluates it on the test split. With a checkpoint folder, a resumed
    // run continues from its last.safetensors and the best epoch's weights are loaded back before the evaluation.
    // Null when cancelled.
    private (FitResult Fit, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics, double Seconds)? TrainAlone(
        string role, TaskSpec task, MultiTaskModel model, TrainerOptions options, bool resume, ITrainingView view, CancellationToken cancellation)
    {
        var c = _config;
        var optimizer = RunBuilder.Optimizer(c, model);
        var trainer = new MultiTaskTrainer(model, optimizer, options with { Distillation = null }, RunBuilder.Schedule(c, optimizer));
        string? dir = options.CheckpointDirectory;
        string? last = dir is null ? null : Path.Combine(dir, MultiTaskTrainer.LastFileName);
        if (resume && File.Exists(last)) trainer.Resume(last!);
        else if (options.MetricsLogPath is { } log) File.Delete(log);
        using var tensorboard = new TensorBoardLogger(Path.Combine(_folder.TensorBoardPath, $"{role}-{task.Name}"));
        trainer.Callbacks.Add(tensorboard);
        view.Follow(trainer, $"{role} {task.Name}");
        var train = _data.Source(_data.Train, RunBuilder.Loader(c, true), training: true, onlyTask: task.Name);
        var validation = _data.Validation is { } v ? _data.Source(v, RunBuilder.Loader(c, false), training: false, onlyTask: task.Name) : null;
        var clock = Stopwatch.StartNew();
        var fit = trainer.Fit(train, validation, cancellation);
        if (fit.Reason == StopReason.Cancelled) return null;
        double seconds = clock.Elapsed.TotalSeconds;
        string? best = dir is null ? null : Path.Combine(dir, MultiTaskTrainer.BestFileName);
        if (options.RestoreBest && File.Exists(best)) model.LoadStateDict(Checkpoint.Load(best!).Model);
        var metrics = trainer.Evaluate(_data.Source(_data.Test, RunBuilder.Loader(c, false), training: false, onlyTask: task.Name)).Metrics;
        return (fit, metrics, seconds);
    }

    // Trains the single-task teachers (each resumed from its own checkpoint folder when the run is resumed), then writes
    // distill.txt: every teacher, where it came from and its test metrics. False when cancelled.
    private bool TrainTeachers(RunDistillation distillation, bool resume, ITrainingView view, CancellationToken cancellation)
    {
        var c = _config;
        var lines = new List<string>(distillation.Teachers);
        foreach (var (task, model) in distillation.SingleTaskTeachers)
        {
            var options = _options with
            {
                Epochs = c.Distill.TeacherEpochs ?? c.Trainer.Epochs, CheckpointDirectory = Path.Combine(_folder.CheckpointsPath, $"teacher-{task.Name}"),
                MetricsLogPath = Path.Combine(_folder.Path, $"metrics.teacher-{task.Name}.jsonl"),
            };
            if (TrainAlone("teacher", task, model, options, resume, view, cancellation) is not { } run) return false;
            string summary = string.Join(", ", run.Metrics[task.Name].Select(m => $"{m.Key} {m.Value:F4}"));
            view.Line($"teacher {task.Name}: test {summary}");
            lines.Add($"teacher {task.Name} test: {summary}");
        }
        File.WriteAllText(_folder.DistillPath, $"distillation: alpha {c.Distill.Alpha}, temperature {c.Distill.Temperature}, cached teacher outputs: {(c.Distill.Cache ? "yes" : "no")}\n" +
            string.Join("\n", lines) + "\n");
        return true;
    }

    // The report as Experiment writes it: Δm over each task's primary metric, and over all metrics averaged per task.
    private RunReport Report(ModelReport mtl, Dictionary<string, ModelReport>? single) =>
        RunReport.Create(_config.Architecture.Name, _config.Strategy.Name, _tasks, "test", mtl, single);

    /// <inheritdoc/>
    public void Dispose() => _data.Dispose();
}
