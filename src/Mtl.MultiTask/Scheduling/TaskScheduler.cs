// The base of the built-in task schedulers: binding to the tasks, plans per epoch, and checkpointable state.
using System.Globalization;
using System.Text.Json;
using Mtl.NN;

namespace Mtl.MultiTask.Scheduling;

/// <summary>
/// Common plumbing of <see cref="ITaskScheduler"/>s: remembers the bound <see cref="SchedulingContext"/>, checks plan
/// requests, and saves the scheduler's name and tasks with its own state so a checkpoint is never restored into the
/// wrong scheduler or task list. Subclasses build the plan (<see cref="CreatePlan"/>) and keep what they learn
/// (<see cref="WriteState"/>/<see cref="ReadState"/>). Unless overridden, an epoch is Σₖ batchesₖ steps: as many task
/// batches as one pass over every task's loader.
/// </summary>
public abstract class TaskScheduler : ITaskScheduler
{
    private string? _name;
    private SchedulingContext? _context;

    /// <summary>A scheduler named <paramref name="name"/> (the built-ins pass their registry name; null = the class name).</summary>
    protected TaskScheduler(string? name = null) => _name = name;

    /// <inheritdoc/>
    public string Name
    {
        get => _name ?? GetType().Name;
        internal set => _name = value;
    }

    /// <summary>The bound context (after <see cref="Bind"/>).</summary>
    public SchedulingContext Context => _context ?? throw new InvalidOperationException($"task scheduler '{Name}': Bind has not been called");

    /// <summary>True after <see cref="Bind"/>.</summary>
    public bool IsBound => _context is not null;

    /// <summary>K, the number of bound tasks.</summary>
    protected int TaskCount => Context.Tasks.Count;

    /// <inheritdoc/>
    public virtual int StepsPerEpoch(IReadOnlyList<int> batchesPerTask)
    {
        ArgumentNullException.ThrowIfNull(batchesPerTask);
        return checked(batchesPerTask.Sum());
    }

    /// <inheritdoc/>
    public void Bind(SchedulingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        bool same = _context is not null && _context.Names.SequenceEqual(context.Names, StringComparer.Ordinal);
        _context = context;
        if (!same) OnBind(context);
    }

    /// <inheritdoc/>
    public EpochPlan Plan(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"task scheduler '{Name}': epoch must be 0 or more");
        var context = Context;
        var plan = CreatePlan(epoch, StepsPerEpoch(context.Tasks.Select(t => t.Batches).ToArray()));
        if (plan.TaskCount != context.Tasks.Count)
            throw new InvalidOperationException($"task scheduler '{Name}': its plan is for {plan.TaskCount} tasks, {context.Tasks.Count} are bound");
        return plan;
    }

    /// <inheritdoc/>
    public virtual void Observe(ValidationFeedback feedback) { }

    /// <summary>Builds epoch <paramref name="epoch"/>'s plan of <paramref name="steps"/> steps (a pure function of the state and the epoch).</summary>
    protected abstract EpochPlan CreatePlan(int epoch, int steps);

    /// <summary>Called when bound to a new task list: size and reset the state here.</summary>
    protected virtual void OnBind(SchedulingContext context) { }

    /// <summary>Writes what is needed to continue exactly (name and tasks are written by the base).</summary>
    protected virtual void WriteState(StateDict state) { }

    /// <summary>Reads what <see cref="WriteState"/> wrote (the context is bound and the task list checked).</summary>
    protected virtual void ReadState(StateDict state) { }

    /// <inheritdoc/>
    public StateDict StateDict()
    {
        var state = new StateDict();
        state.Values["name"] = Name;
        state.Values["tasks"] = JsonSerializer.Serialize(_context?.Names ?? []);
        if (_context is not null) WriteState(state);
        return state;
    }

    /// <inheritdoc/>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string name = Get(state, "name");
        if (name != Name) throw new ArgumentException($"task scheduler '{Name}': the saved state is of scheduler '{name}'");
        var tasks = JsonSerializer.Deserialize<string[]>(Get(state, "tasks")) ?? [];
        if (tasks.Length == 0) return;   // saved before it was bound: nothing learned yet
        if (_context is null) throw new InvalidOperationException($"task scheduler '{Name}': Bind it to its tasks before loading a state");
        if (!tasks.SequenceEqual(_context.Names, StringComparer.Ordinal))
            throw new ArgumentException($"task scheduler '{Name}': the saved state is for tasks [{string.Join(", ", tasks)}], it is bound to [{string.Join(", ", _context.Names)}]");
        ReadState(state);
    }

    /// <summary>The value saved under <paramref name="key"/>; the error names the scheduler and the key.</summary>
    protected string Get(StateDict state, string key) => state.Values.TryGetValue(key, out var v) ? v
        : throw new ArgumentException($"task scheduler '{Name}': state '{key}' is missing (keys: {string.Join(", ", state.Values.Keys)})");

    /// <summary>Doubles with round-trip precision, comma-separated.</summary>
    protected static string Format(ReadOnlySpan<double> values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString("R", CultureInfo.InvariantCulture);
        return string.Join(",", parts);
    }

    /// <summary>Parses <see cref="Format"/>'s output; the length must be <paramref name="length"/>.</summary>
    protected double[] Parse(string text, int length, string key)
    {
        var values = text.Length == 0 ? [] : text.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (values.Length != length) throw new ArgumentException($"task scheduler '{Name}': state '{key}' has {values.Length} values, expected {length}");
        return values;
    }
}
