// Where batches come from: one loader whose batches carry every task's labels, or one loader per task (multi-input).
using Mtl.Data;
using Mtl.MultiTask.Scheduling;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The training (or evaluation) data of a multi-task run. <b>Joint</b>: one loader whose batches hold labels for all
/// tasks (missing ones masked). <b>Per task</b> (multi-input MTL, e.g. sentiment on one corpus and topic on another):
/// one loader per task; an <see cref="ITaskScheduler"/> decides which tasks take a batch at each step and how many
/// steps an epoch has. The default, <c>all</c>, takes one batch from every task's loader at each step, and an epoch lasts
/// as many steps as the longest loader has batches; the one-task-per-step schedulers (<c>round-robin</c>,
/// <c>proportional</c>, <c>temperature</c>, <c>annealed</c>, <c>lagging</c>, see <see cref="SchedulerRegistry"/>) make an
/// epoch Σₖ batchesₖ steps. A loader that runs out starts over with a new shuffle; every epoch starts each loader afresh
/// (restart r of epoch e reads the loader's epoch e·R + r, R = ⌈steps / batchesₖ⌉), so positions are a pure function of
/// (epoch, step) and resuming mid-epoch is exact.
/// </summary>
public sealed class TrainingSource
{
    private TrainingSource(DataLoader? joint, IReadOnlyDictionary<string, DataLoader>? perTask, ITaskScheduler? scheduler)
    {
        Joint = joint;
        PerTask = perTask;
        Scheduler = scheduler;
    }

    /// <summary>The single loader of a joint source; null for per-task sources.</summary>
    public DataLoader? Joint { get; }

    /// <summary>The loaders of a per-task source, by task; null for joint sources.</summary>
    public IReadOnlyDictionary<string, DataLoader>? PerTask { get; }

    /// <summary>The task scheduler of a per-task source (<c>all</c> unless another was given); null for joint sources.</summary>
    public ITaskScheduler? Scheduler { get; }

    /// <summary>One loader with all tasks' labels.</summary>
    public static TrainingSource FromLoader(DataLoader loader) => new(loader ?? throw new ArgumentNullException(nameof(loader)), null, null);

    /// <summary>
    /// One loader per task (keys are task names), scheduled by <paramref name="scheduler"/> — e.g.
    /// <c>SchedulerRegistry.Create("temperature", new TemperatureOptions { Tau = 2 })</c>; null = <c>all</c>, every task
    /// at every step. The trainer binds the scheduler to the model's tasks at the start of each fit and saves its state
    /// in checkpoints; a step that lacks some task trains the tasks present with unit weights when a balancing strategy
    /// is set (see <see cref="MultiTaskTrainer"/>). Evaluation ignores the scheduler.
    /// </summary>
    public static TrainingSource FromTaskLoaders(IReadOnlyDictionary<string, DataLoader> loaders, ITaskScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(loaders);
        if (loaders.Count == 0) throw new ArgumentException("TrainingSource: no task loaders given");
        return new(null, new Dictionary<string, DataLoader>(loaders, StringComparer.Ordinal), scheduler ?? new AllTasksScheduler());
    }

    public static implicit operator TrainingSource(DataLoader loader) => FromLoader(loader);

    /// <summary>
    /// The source a single-task model of <paramref name="task"/> trains on: a per-task source keeps only that task's
    /// loader; a joint loader is shared as it is (the model has only that task, so other labels are ignored).
    /// </summary>
    public TrainingSource ForTask(string task)
    {
        if (PerTask is null) return this;
        if (!PerTask.TryGetValue(task, out var loader))
            throw new ArgumentException($"task '{task}': the source has no loader for it (tasks: {string.Join(", ", PerTask.Keys)})");
        return FromTaskLoaders(new Dictionary<string, DataLoader> { [task] = loader });
    }

    /// <summary>Training steps in one epoch (per task: the scheduler's <see cref="ITaskScheduler.StepsPerEpoch"/>).</summary>
    public int StepsPerEpoch => Joint?.BatchesPerEpoch ?? Scheduler!.StepsPerEpoch(PerTask!.Values.Select(l => l.BatchesPerEpoch).ToArray());

    /// <summary>
    /// Samples seen in one epoch (all tasks). Per task under <c>all</c>: Σₖ batch sizeₖ × steps; under the other
    /// schedulers the nominal Σₖ samplesₖ of one pass over every loader (the expected count under <c>proportional</c>).
    /// </summary>
    public long SamplesPerEpoch => Joint?.SamplesPerEpoch ?? (Scheduler is AllTasksScheduler
        ? PerTask!.Values.Sum(l => (long)l.Options.BatchSize * StepsPerEpoch)
        : PerTask!.Values.Sum(l => (long)l.SamplesPerEpoch));

    /// <summary>
    /// Binds a per-task source's scheduler to <paramref name="taskOrder"/> (the model's tasks, all of which have a
    /// loader after <see cref="Check"/>) and the epoch budget; returns the scheduler (null for joint sources).
    /// </summary>
    internal ITaskScheduler? Bind(IReadOnlyList<string> taskOrder, int epochs)
    {
        if (PerTask is null) return null;
        var tasks = taskOrder.Where(PerTask.ContainsKey).Select(t => new TaskData(t, PerTask[t].SamplesPerEpoch, PerTask[t].BatchesPerEpoch)).ToArray();
        Scheduler!.Bind(new SchedulingContext(tasks, epochs));
        return Scheduler;
    }

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
    /// The batches of training epoch <paramref name="epoch"/> from step <paramref name="skip"/> on: for a joint source one
    /// batch per step; for a per-task source one batch of each task the scheduler's plan names for the step, in
    /// <paramref name="taskOrder"/> (the order the scheduler was bound with, see <see cref="Bind"/>).
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
        var plan = Scheduler!.Plan(epoch);
        if (plan.Steps != steps)
            throw new InvalidOperationException($"task scheduler '{Scheduler.Name}': its plan of epoch {epoch} has {plan.Steps} steps, its StepsPerEpoch says {steps}");
        var tasks = taskOrder.Where(PerTask!.ContainsKey).ToArray();
        var cursors = tasks.Select((t, k) => new Cursor(PerTask![t], epoch, steps, plan.CountBefore(k, skip), cancellation)).ToArray();
        try
        {
            for (int s = skip; s < steps; s++)
            {
                var chosen = plan[s];
                var batches = new Data.MultiTaskBatch[chosen.Length];
                for (int i = 0; i < chosen.Length; i++) batches[i] = cursors[chosen[i]].Next();
                yield return batches;
            }
        }
        finally { foreach (var c in cursors) c.Dispose(); }
    }

    // One task's position in a per-task epoch: restart r of global epoch e reads loader epoch e·R + r (R restarts per
    // global epoch at most: a task takes at most one batch per step), so every position is a pure function of (epoch,
    // batches taken) and resuming mid-epoch is exact. The loader is opened on the first batch taken.
    private sealed class Cursor : IDisposable
    {
        private readonly DataLoader _loader;
        private readonly int _restarts, _epoch, _skip;
        private readonly CancellationToken _cancellation;
        private IEnumerator<Data.MultiTaskBatch>? _current;
        private int _restart;

        public Cursor(DataLoader loader, int epoch, int steps, int skip, CancellationToken cancellation)
        {
            _loader = loader;
            _epoch = epoch;
            _skip = skip;
            _cancellation = cancellation;
            int n = Math.Max(1, loader.BatchesPerEpoch);
            _restarts = (steps + n - 1) / n;
        }

        private IEnumerator<Data.MultiTaskBatch> Open(int restart) =>
            _loader.Epoch(_epoch * _restarts + restart, _cancellation).GetEnumerator();

        public Data.MultiTaskBatch Next()
        {
            if (_current is null)
            {
                int n = Math.Max(1, _loader.BatchesPerEpoch);
                _restart = _skip / n;
                _current = Open(_restart);
                for (int i = 0; i < _skip % n; i++) _current.MoveNext();
            }
            if (_current.MoveNext()) return _current.Current;
            _current.Dispose();
            _current = Open(++_restart);
            if (!_current.MoveNext()) throw new InvalidOperationException("TrainingSource: a task loader yields no batches");
            return _current.Current;
        }

        public void Dispose() => _current?.Dispose();
    }
}
