// Builds a run's data, tasks, model, optimiser, schedule, strategy and trainer options from a RunConfig.
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Scheduling;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.Cli.Model;

/// <summary>
/// The pieces of a run, built from a validated <see cref="RunConfig"/>. A mistake only building reveals (a trunk that
/// does not fit the data, an option value out of range, a strategy that cannot use the chosen gradient space) becomes a
/// <see cref="ConfigException"/> at the section that caused it. Building is deterministic: the same config gives the
/// same data and the same initial parameters.
/// </summary>
internal static class RunBuilder
{
    /// <summary>Loads and splits the dataset.</summary>
    public static DataBundle Data(RunConfig c) =>
        Guard(c, "data", c.Data.Name, () => DatasetCatalog.Get(c.Data.Name).Build(c.Data.Options, c.Seed));

    /// <summary>The task specs: the data's labels with the config's head widths and weights.</summary>
    public static TaskSpec[] Tasks(RunConfig c, DataBundle data) => data.Tasks.Select(t =>
    {
        var (kind, size) = t.Kind switch
        {
            LabelKind.ClassIndex => (TaskKind.Classification, t.NumClasses),
            LabelKind.ClassPerPosition => (TaskKind.SequenceLabeling, t.NumClasses),
            _ => (TaskKind.Regression, t.Width),
        };
        var settings = c.Tasks.TryGetValue(t.Name, out var s) ? s : new TaskSettings();
        if (settings.Head.Any(w => w <= 0))
            throw new ConfigException(c.Where($"tasks.{t.Name}"), $"'tasks.{t.Name}.head' widths must be positive, got [{string.Join(", ", settings.Head)}]");
        if (!(settings.Weight >= 0) || double.IsInfinity(settings.Weight))
            throw new ConfigException(c.Where($"tasks.{t.Name}"), $"'tasks.{t.Name}.weight' must be finite and >= 0, got {settings.Weight}");
        return new TaskSpec(t.Name, kind, size) { Head = settings.Head.Length == 0 ? null : w => Head(w, settings.Head, size), Weight = settings.Weight, AttachDepth = settings.AttachDepth };
    }).ToArray();

    /// <summary>
    /// The model for <paramref name="tasks"/> (all of them, or one for a baseline). Reseeds the default generator, so
    /// every call with the same config gives the same initial parameters.
    /// </summary>
    public static MultiTaskModel Model(RunConfig c, DataBundle data, IReadOnlyList<TaskSpec> tasks)
    {
        Init.ManualSeed(c.Seed);
        var trunk = Guard(c, "trunk", c.Trunk.Name, () =>
        {
            var t = TrunkCatalog.Build(c.Trunk.Name, c.Trunk.Options, data, new Generator(c.Seed));
            _ = t.StageShapes;   // probe now, so a mismatch is reported as the trunk's
            return t;
        });
        return Guard(c, "architecture", c.Architecture.Name, () => ArchitectureRegistry.Create(c.Architecture.Name, new ArchitectureContext(tasks, trunk), c.Architecture.Options));
    }

    /// <summary>The optimiser over the model's parameters.</summary>
    public static Optimizer Optimizer(RunConfig c, MultiTaskModel model) =>
        Guard(c, "optimizer", c.Optimizer.Name, () => OptimizerCatalog.Build(c.Optimizer.Name, c.Optimizer.Options, model.Parameters()));

    /// <summary>The learning-rate schedule, or null.</summary>
    public static LrScheduler? Schedule(RunConfig c, Optimizer optimizer) => c.Schedule is { } s
        ? Guard(c, "schedule", s.Name, () => ScheduleCatalog.Build(s.Name, s.Options, optimizer, c.Trainer.Epochs))
        : null;

    /// <summary>
    /// The balancing strategy, or null for <c>ew</c>: the trainer then minimises Σ λ_t·L_t with the tasks' weights,
    /// which is equal weighting when they are all 1 (the default) and honours <c>tasks.NAME.weight</c> otherwise.
    /// </summary>
    public static BalancingStrategy? Strategy(RunConfig c) => c.Strategy.Name == "ew" ? null
        : Guard(c, "strategy", c.Strategy.Name, () => StrategyRegistry.Create(c.Strategy.Name, c.Strategy.Options));

    /// <summary>A fresh task scheduler of <c>data.scheduler</c>, or null (every task takes a batch at every step).</summary>
    public static ITaskScheduler? TaskScheduler(RunConfig c) => c.TaskScheduler is { } s
        ? Guard(c, "data.scheduler", s.Name, () => SchedulerRegistry.Create(s.Name, s.Options))
        : null;

    /// <summary>The trainer options; checkpoints and the metrics log go where the run folder says.</summary>
    public static TrainerOptions TrainerOptions(RunConfig c, string? checkpoints, string? metricsLog, bool validation)
    {
        var t = c.Trainer;
        string where = c.Where("trainer");
        if (t.Epochs < 0) throw new ConfigException(where, $"'trainer.epochs' must be 0 or more, got {t.Epochs}");
        if (t.BatchSize < 1) throw new ConfigException(where, $"'trainer.batch_size' must be at least 1, got {t.BatchSize}");
        if (t.EvalBatchSize < 1) throw new ConfigException(where, $"'trainer.eval_batch_size' must be at least 1, got {t.EvalBatchSize}");
        if (t.Threads is < 1) throw new ConfigException(where, $"'trainer.threads' must be at least 1, got {t.Threads}");
        if (t.MaxSteps is < 0) throw new ConfigException(where, $"'trainer.max_steps' must be 0 or more, got {t.MaxSteps}");
        if (t.Patience is < 1) throw new ConfigException(where, $"'trainer.patience' must be at least 1, got {t.Patience}");
        if (!(t.MinDelta >= 0)) throw new ConfigException(where, $"'trainer.min_delta' must be 0 or more, got {t.MinDelta}");
        if (t.CheckpointEvery < 1) throw new ConfigException(where, $"'trainer.checkpoint_every' must be at least 1, got {t.CheckpointEvery}");
        if (t.AffinityEvery is < 1) throw new ConfigException(where, $"'trainer.affinity_every' must be at least 1 (leave it out to measure no affinity), got {t.AffinityEvery}");
        if (t.Patience is not null && !validation)
            throw new ConfigException(where, "'trainer.patience' (early stopping) needs validation data; set data.validation_fraction above 0");
        return new TrainerOptions
        {
            Epochs = t.Epochs, MaxSteps = t.MaxSteps, Patience = t.Patience, MinDelta = t.MinDelta, RestoreBest = t.RestoreBest,
            GradientSpace = t.GradientSpace, AffinityEvery = t.AffinityEvery, CheckpointEvery = t.CheckpointEvery, CheckpointDirectory = checkpoints, MetricsLogPath = metricsLog,
        };
    }

    /// <summary>The trainer, with construction errors (strategy vs. gradient space vs. model) reported at the strategy.</summary>
    public static MultiTaskTrainer Trainer(RunConfig c, MultiTaskModel model, Optimizer optimizer, TrainerOptions options, LrScheduler? schedule, BalancingStrategy? strategy) =>
        Guard(c, "strategy", c.Strategy.Name, () => new MultiTaskTrainer(model, optimizer, options, schedule, strategy));

    /// <summary>Loader options for training (shuffled, seeded) or evaluation.</summary>
    public static DataLoaderOptions Loader(RunConfig c, bool training) => training
        ? new DataLoaderOptions { BatchSize = c.Trainer.BatchSize, Shuffle = true, Seed = c.Seed + 4 }
        : new DataLoaderOptions { BatchSize = c.Trainer.EvalBatchSize };

    private static Module<Tensor, Tensor> Head(int width, int[] hidden, int outputs)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        int fanIn = width;
        foreach (var h in hidden)
        {
            layers.Add(new Linear(fanIn, h));
            layers.Add(new ReLU());
            fanIn = h;
        }
        layers.Add(new Linear(fanIn, outputs));
        return new Sequential([.. layers]);
    }

    // Runs a build step; the library's argument errors become config errors at the section that chose it.
    private static T Guard<T>(RunConfig c, string section, string name, Func<T> build)
    {
        try { return build(); }
        catch (ConfigException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or FileNotFoundException
            or DirectoryNotFoundException or DataFileException or NotSupportedException)
        {
            throw new ConfigException(c.Where(section), $"{section} '{name}': {e.Message}", e);
        }
    }
}
