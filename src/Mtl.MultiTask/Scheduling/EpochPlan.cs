// One epoch's schedule: the tasks that take a batch at each step.
namespace Mtl.MultiTask.Scheduling;

/// <summary>
/// The tasks (indices into the bound <see cref="SchedulingContext.Tasks"/>) that take a batch at each step of one
/// epoch, in the order the trainer reads their batches. Immutable.
/// </summary>
public sealed class EpochPlan
{
    private readonly int[] _offsets;   // (Steps + 1): step s holds _tasks[_offsets[s] .. _offsets[s + 1])
    private readonly int[] _tasks;

    private EpochPlan(int[] offsets, int[] tasks, int taskCount)
    {
        _offsets = offsets;
        _tasks = tasks;
        TaskCount = taskCount;
    }

    /// <summary>A plan from explicit per-step task lists (each non-empty, ascending, without repeats, each index in [0, tasks)).</summary>
    public EpochPlan(IReadOnlyList<IReadOnlyList<int>> steps, int tasks)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), tasks, "EpochPlan: needs at least one task");
        TaskCount = tasks;
        _offsets = new int[steps.Count + 1];
        var flat = new List<int>();
        for (int s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            if (step.Count == 0) throw new ArgumentException($"EpochPlan: step {s} has no task");
            for (int i = 0; i < step.Count; i++)
            {
                if (step[i] < 0 || step[i] >= tasks) throw new ArgumentException($"EpochPlan: step {s} names task {step[i]}, there are {tasks}");
                if (i > 0 && step[i] <= step[i - 1]) throw new ArgumentException($"EpochPlan: step {s}'s tasks must be ascending without repeats");
                flat.Add(step[i]);
            }
            _offsets[s + 1] = flat.Count;
        }
        _tasks = flat.ToArray();
    }

    /// <summary>Every task at each of <paramref name="steps"/> steps.</summary>
    public static EpochPlan EveryTask(int steps, int tasks)
    {
        CheckSizes(steps, tasks);
        var offsets = new int[steps + 1];
        var flat = new int[steps * tasks];
        for (int s = 0; s < steps; s++)
        {
            offsets[s + 1] = (s + 1) * tasks;
            for (int k = 0; k < tasks; k++) flat[s * tasks + k] = k;
        }
        return new EpochPlan(offsets, flat, tasks);
    }

    /// <summary>One task per step: <paramref name="choices"/>[s] takes step s.</summary>
    public static EpochPlan OneTaskPerStep(ReadOnlySpan<int> choices, int tasks)
    {
        CheckSizes(choices.Length, tasks);
        var offsets = new int[choices.Length + 1];
        for (int s = 0; s < choices.Length; s++)
        {
            if (choices[s] < 0 || choices[s] >= tasks) throw new ArgumentException($"EpochPlan: step {s} names task {choices[s]}, there are {tasks}");
            offsets[s + 1] = s + 1;
        }
        return new EpochPlan(offsets, choices.ToArray(), tasks);
    }

    /// <summary>Steps in the epoch.</summary>
    public int Steps => _offsets.Length - 1;

    /// <summary>Number of tasks the indices refer to.</summary>
    public int TaskCount { get; }

    /// <summary>The tasks of step <paramref name="step"/>, ascending.</summary>
    public ReadOnlySpan<int> this[int step]
    {
        get
        {
            if ((uint)step >= (uint)Steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"EpochPlan: the epoch has {Steps} steps");
            return _tasks.AsSpan(_offsets[step], _offsets[step + 1] - _offsets[step]);
        }
    }

    /// <summary>Batches task <paramref name="task"/> takes in steps [0, <paramref name="step"/>).</summary>
    public int CountBefore(int task, int step)
    {
        if (step < 0 || step > Steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"EpochPlan: the epoch has {Steps} steps");
        int n = 0;
        for (int i = 0; i < _offsets[step]; i++) if (_tasks[i] == task) n++;
        return n;
    }

    /// <summary>Batches each task takes in the whole epoch.</summary>
    public int[] Counts()
    {
        var counts = new int[TaskCount];
        foreach (var t in _tasks) counts[t]++;
        return counts;
    }

    private static void CheckSizes(int steps, int tasks)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "EpochPlan: steps must be 0 or more");
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), tasks, "EpochPlan: needs at least one task");
    }
}
