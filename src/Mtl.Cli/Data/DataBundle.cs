// A dataset ready for a run: its tasks and input layout, train/validation/test splits, and loaders made on demand.
using Mtl.Data;
using Mtl.MultiTask.Scheduling;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Data;

/// <summary>One split: a joint dataset (every sample may carry every task's label) or one dataset per task (multi-input).</summary>
/// <param name="Joint">The joint dataset, or null for per-task data.</param>
/// <param name="PerTask">The per-task datasets, or null for joint data.</param>
internal sealed record SplitData(IMultiTaskDataset? Joint, MultiInputTasks? PerTask)
{
    /// <summary>Samples in the split (all tasks).</summary>
    public int Count => Joint?.Count ?? PerTask!.TaskNames.Sum(t => PerTask.For(t).Count);
}

/// <summary>
/// What a dataset entry builds: the tasks (from the data's labels), the per-sample input, the splits, and — for text —
/// the tokenizer and vocabulary that encode new inputs. Loaders made by <see cref="Source"/> are disposed with the bundle.
/// </summary>
internal sealed class DataBundle : IDisposable
{
    private readonly List<DataLoader> _loaders = [];

    /// <summary>The tasks' labels (names, kinds, class counts and names), in task order.</summary>
    public required IReadOnlyList<TaskLabels> Tasks { get; init; }

    /// <summary>One sample's input.</summary>
    public required InputInfo Input { get; init; }

    /// <summary>Training split.</summary>
    public required SplitData Train { get; init; }

    /// <summary>Validation split for model selection and early stopping (null when validation_fraction is 0).</summary>
    public SplitData? Validation { get; init; }

    /// <summary>Test split (what <c>report.json</c> and <c>mtl eval</c> measure).</summary>
    public required SplitData Test { get; init; }

    /// <summary>Multi-input data only: one batch per task per step (true) or mixed batches (false).</summary>
    public bool PerTaskSteps { get; init; }

    /// <summary>Text data only: how raw text becomes token ids.</summary>
    public Tokenizer? Tokenizer { get; init; }

    /// <summary>Text data only: the vocabulary built from the training texts.</summary>
    public Vocabulary? Vocabulary { get; init; }

    /// <summary>The split named <c>train</c>, <c>validation</c> or <c>test</c>.</summary>
    public SplitData Split(string name) => name switch
    {
        "train" => Train,
        "validation" => Validation ?? throw new ArgumentException("this run has no validation split (data.validation_fraction is 0)"),
        "test" => Test,
        _ => throw new ArgumentException($"unknown split '{name}'; allowed: train, validation, test"),
    };

    /// <summary>
    /// Loaders over <paramref name="split"/>: for training (<paramref name="training"/>) mixed or per-task batches as the
    /// data says; for evaluation per-task loaders, so each task's metrics come from its own data. With
    /// <paramref name="onlyTask"/>, only that task's data (single-task baselines). <paramref name="scheduler"/> picks the
    /// tasks of each per-task training step (null = every task at every step).
    /// </summary>
    public TrainingSource Source(SplitData split, DataLoaderOptions options, bool training, string? onlyTask = null, ITaskScheduler? scheduler = null)
    {
        if (split.Joint is { } joint) return TrainingSource.FromLoader(Track(new DataLoader(joint, options)));
        var multi = split.PerTask!;
        if (onlyTask is not null)
            return TrainingSource.FromTaskLoaders(new Dictionary<string, DataLoader> { [onlyTask] = Track(new DataLoader(multi.For(onlyTask), options)) });
        if (training && !PerTaskSteps) return TrainingSource.FromLoader(Track(new DataLoader(multi.Mixed(), options)));
        var loaders = multi.Loaders(options);
        foreach (var l in loaders.Values) Track(l);
        return TrainingSource.FromTaskLoaders(loaders, training ? scheduler : null);
    }

    private DataLoader Track(DataLoader loader)
    {
        _loaders.Add(loader);
        return loader;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var l in _loaders) l.Dispose();
        _loaders.Clear();
    }

    /// <summary>Seeded train/validation cut of <paramref name="data"/> (validation null when the fraction is 0).</summary>
    public static (IMultiTaskDataset Train, IMultiTaskDataset? Validation) HoldOut(IMultiTaskDataset data, double fraction, ulong seed)
    {
        CheckFraction(fraction, "validation_fraction");
        if (fraction == 0) return (data, null);
        var s = Splits.RandomIndices(data.Count, 1 - fraction, fraction, 0, seed);
        return (data.Subset(s.Train), data.Subset(s.Validation));
    }

    /// <summary>Checks a split fraction lies in [0, 1).</summary>
    public static void CheckFraction(double fraction, string key)
    {
        if (!(fraction >= 0 && fraction < 1)) throw new ArgumentException($"{key} must lie in [0, 1), got {fraction}");
    }
}
