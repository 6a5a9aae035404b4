// Where batches come from: one loader whose batches carry every task's labels, or one loader per task (multi-input).
using Mtl.Data;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The training (or evaluation) data of a multi-task run. <b>Joint</b>: one loader whose batches hold labels for all
/// tasks (missing ones masked). <b>Per task</b> (multi-input MTL, e.g. sentiment on one corpus and topic on another):
/// one loader per task; each training step takes one batch from every task's loader, and an epoch lasts as many steps
/// as the longest loader has batches (shorter ones start over, with a new shuffle, when they run out).
/// </summary>
public sealed class TrainingSource
{
    private TrainingSource(DataLoader? joint, IReadOnlyDictionary<string, DataLoader>? perTask)
    {
        Joint = joint;
        PerTask = perTask;
    }

    /// <summary>The single loader of a joint source; null for per-task sources.</summary>
    public DataLoader? Joint { get; }

    /// <summary>The loaders of a per-task source, by task; null for joint sources.</summary>
    public IReadOnlyDictionary<string, DataLoader>? PerTask { get; }

    /// <summary>One loader with all tasks' labels.</summary>
    public static TrainingSource FromLoader(DataLoader loader) => new(loader ?? throw new ArgumentNullException(nameof(loader)), null);

    /// <summary>One loader per task (keys are task names).</summary>
    public static TrainingSource FromTaskLoaders(IReadOnlyDictionary<string, DataLoader> loaders)
    {
        ArgumentNullException.ThrowIfNull(loaders);
        if (loaders.Count == 0) throw new ArgumentException("TrainingSource: no task loaders given");
        return new(null, new Dictionary<string, DataLoader>(loaders, StringComparer.Ordinal));
    }

    public static implicit operator TrainingSource(DataLoader loader) => FromLoader(loader);

    /// <summary>Training steps in one epoch.</summary>
    public int StepsPerEpoch => Joint?.BatchesPerEpoch ?? PerTask!.Values.Max(l => l.BatchesPerEpoch);

    /// <summary>Samples seen in one epoch (all tasks).</summary>
    public long SamplesPerEpoch => Joint?.SamplesPerEpoch ?? PerTask!.Values.Sum(l => (long)l.Options.BatchSize * StepsPerEpoch);

    /// <summary>Checks that every task of the model has data and no loader names an unknown task; messages name the task.</summary>
    internal void Check(IReadOnlyList<Tasks.TaskSpec> tasks, string role)
    {
        var names = tasks.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (PerTask is not null)
        {
            foreach (var key in PerTask.Keys)
                if (!names.Contains(key))
                    throw new ArgumentException($"{role} data: there is a loader for task '{key}', which the model does not have (model tasks: {string.Join(", ", names)})");
        }
        foreach (var t in tasks)
        {
            var loader = Joint ?? (PerTask!.TryGetValue(t.Name, out var l) ? l : null);
            if (loader is null)
                throw new ArgumentException($"{role} data: no loader for task '{t.Name}' (loaders: {string.Join(", ", PerTask!.Keys)})");
            if (!loader.Dataset.Tasks.Any(x => x.Name == t.Name))
                throw new ArgumentException($"{role} data: the dataset has no labels for task '{t.Name}' (it has: {string.Join(", ", loader.Dataset.Tasks.Select(x => x.Name))})");
        }
    }

    /// <summary>
    /// The batches of training epoch <paramref name="epoch"/> from batch <paramref name="skip"/> on: for a joint source one
    /// batch per step, for a per-task source one batch per task per step (task order = <paramref name="taskOrder"/>).
    /// </summary>
    internal IEnumerable<IReadOnlyList<Data.MultiTaskBatch>> Steps(int epoch, int skip, IReadOnlyList<string> taskOrder, CancellationToken cancellation)
    {
        if (Joint is not null)
        {
            int i = 0;
            foreach (var b in Joint.Epoch(epoch, cancellation))
                if (i++ >= skip) yield return [b];
            yield break;
        }
        int steps = StepsPerEpoch;
        var cursors = taskOrder.Where(PerTask!.ContainsKey).Select(t => new Cursor(PerTask![t], epoch, steps, skip, cancellation)).ToArray();
        try
        {
            for (int s = skip; s < steps; s++)
            {
                var batches = new Data.MultiTaskBatch[cursors.Length];
                for (int k = 0; k < cursors.Length; k++) batches[k] = cursors[k].Next();
                yield return batches;
            }
        }
        finally { foreach (var c in cursors) c.Dispose(); }
    }

    // One task's position in a per-task epoch: restart r of global epoch e reads loader epoch e·R + r (R restarts per
    // global epoch at most), so every position is a pure function of (epoch, step) and resuming mid-epoch is exact.
    private sealed class Cursor : IDisposable
    {
        private readonly DataLoader _loader;
        private readonly int _restarts, _epoch;
        private readonly CancellationToken _cancellation;
        private IEnumerator<Data.MultiTaskBatch>? _current;
        private int _restart;

        public Cursor(DataLoader loader, int epoch, int steps, int skip, CancellationToken cancellation)
        {
            _loader = loader;
            _epoch = epoch;
            _cancellation = cancellation;
            int n = Math.Max(1, loader.BatchesPerEpoch);
            _restarts = (steps + n - 1) / n;
            _restart = skip / n;
            _current = Open(_restart);
            for (int i = 0; i < skip % n; i++) _current.MoveNext();
        }

        private IEnumerator<Data.MultiTaskBatch> Open(int restart) =>
            _loader.Epoch(_epoch * _restarts + restart, _cancellation).GetEnumerator();

        public Data.MultiTaskBatch Next()
        {
            if (_current!.MoveNext()) return _current.Current;
            _current.Dispose();
            _current = Open(++_restart);
            if (!_current.MoveNext()) throw new InvalidOperationException("TrainingSource: a task loader yields no batches");
            return _current.Current;
        }

        public void Dispose() => _current?.Dispose();
    }
}
