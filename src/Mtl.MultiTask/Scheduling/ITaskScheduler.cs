// The task-scheduler contract: which task(s) of a multi-input run take a batch at each training step.
using Mtl.MultiTask.Training;
using Mtl.NN;

namespace Mtl.MultiTask.Scheduling;

/// <summary>
/// Decides, for multi-input training (one loader per task, <see cref="TrainingSource.FromTaskLoaders"/>), which tasks
/// take a batch at each step. The trainer binds it at the start of every fit (<see cref="Bind"/>: the tasks in model
/// order with their data sizes, and the epoch budget), asks for one <see cref="EpochPlan"/> per epoch, and reports every
/// validation (<see cref="Observe"/>). A plan must be a pure function of the scheduler's state and the epoch, so a run
/// resumed from a checkpoint (the state is saved as the trainer's <c>task_scheduler</c> component) draws the same plan.
/// Randomness comes from a <see cref="Generator"/> seeded from an option, never from <see cref="System.Random"/>.
/// </summary>
public interface ITaskScheduler : IStateful
{
    /// <summary>The registry name (e.g. <c>temperature</c>).</summary>
    string Name { get; }

    /// <summary>Steps in one epoch for loaders with <paramref name="batchesPerTask"/> batches each (any order).</summary>
    int StepsPerEpoch(IReadOnlyList<int> batchesPerTask);

    /// <summary>
    /// Tells the scheduler the tasks and the epoch budget; called at the start of every fit. Binding again to the same
    /// tasks keeps the state (a second fit continues); other tasks start it afresh.
    /// </summary>
    void Bind(SchedulingContext context);

    /// <summary>The tasks (indices into <see cref="SchedulingContext.Tasks"/>) that take a batch at each step of <paramref name="epoch"/> (0-based).</summary>
    EpochPlan Plan(int epoch);

    /// <summary>After each validation: the result and every task's shortfall against its reference.</summary>
    void Observe(ValidationFeedback feedback);
}

/// <summary>One task's training data as a scheduler sees it.</summary>
/// <param name="Name">The task.</param>
/// <param name="Samples">Samples in one pass over its loader (n_k, the "dataset size" of the sampling formulas).</param>
/// <param name="Batches">Batches in one pass over its loader.</param>
public sealed record TaskData(string Name, int Samples, int Batches);

/// <summary>What a scheduler is bound to: the tasks in model order and the trainer's epoch budget.</summary>
/// <param name="Tasks">The tasks, in the model's order; plans index into this list.</param>
/// <param name="Epochs">The trainer's <see cref="TrainerOptions.Epochs"/> (the annealed schedule's E).</param>
public sealed record SchedulingContext(IReadOnlyList<TaskData> Tasks, int Epochs)
{
    /// <summary>Checks the context: at least one task, unique names, positive sizes, Epochs ≥ 0.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tasks);
        if (Tasks.Count == 0) throw new ArgumentException("SchedulingContext: no tasks");
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "SchedulingContext: Epochs must be 0 or more");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Tasks)
        {
            if (!seen.Add(t.Name)) throw new ArgumentException($"SchedulingContext: task '{t.Name}' appears twice");
            if (t.Samples < 1 || t.Batches < 1)
                throw new ArgumentException($"SchedulingContext: task '{t.Name}' has {t.Samples} samples in {t.Batches} batches; a scheduled task needs at least one batch");
        }
    }

    /// <summary>The task names in order.</summary>
    public IReadOnlyList<string> Names => Tasks.Select(t => t.Name).ToArray();
}

/// <summary>What the trainer reports after a validation.</summary>
/// <param name="Epoch">The epoch just validated (0-based).</param>
/// <param name="Result">The validation metrics.</param>
/// <param name="Shortfall">
/// Per task, the relative shortfall of its primary metric against the reference (see <see cref="TaskShortfall"/>):
/// positive when the task is below its reference, negative above it.
/// </param>
public sealed record ValidationFeedback(int Epoch, EvaluationResult Result, IReadOnlyDictionary<string, double> Shortfall);
