// The trainer's side of task scheduling: binding the source's scheduler, restoring its state, reporting validations.
using Mtl.MultiTask.Scheduling;
using Mtl.NN;

namespace Mtl.MultiTask.Training;

public sealed partial class MultiTaskTrainer
{
    /// <summary>The checkpoint component holding the task scheduler's state (multi-input runs).</summary>
    public const string TaskSchedulerComponent = "task_scheduler";

    private ITaskScheduler? _taskScheduler;
    private bool _resumePending;              // Resume ran; the next fit applies (or checks the absence of) the scheduler state
    private StateDict? _resumedSchedulerState;

    /// <summary>The task scheduler of the current (or last) fit's training data; null for joint data.</summary>
    public ITaskScheduler? TaskScheduler => _taskScheduler;

    // Called at the start of every fit, after the source bound its scheduler to the model's tasks: takes it over and,
    // after a Resume, restores the state the checkpoint holds, so the plans continue as in the uninterrupted run.
    private void BindTaskScheduler(ITaskScheduler? scheduler)
    {
        if (_resumePending)
        {
            var state = _resumedSchedulerState;
            if (state is not null && scheduler is null)
                throw new ArgumentException($"the resumed checkpoint holds the state of task scheduler '{Describe(state)}', but the training data is one joint loader; resume with the same per-task loaders and scheduler");
            if (state is null && scheduler is not null)
                throw new ArgumentException($"the resumed checkpoint holds no task-scheduler state, but the training data is per task (scheduler '{scheduler.Name}'); resume with the data it was trained on");
            if (state is not null)
            {
                try { scheduler!.LoadStateDict(state); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
                {
                    throw new ArgumentException($"the resumed checkpoint's task-scheduler state does not fit scheduler '{scheduler!.Name}': {e.Message}", e);
                }
            }
            _resumePending = false;
            _resumedSchedulerState = null;
        }
        _taskScheduler = scheduler;
    }

    private static string Describe(StateDict state) => state.Values.TryGetValue("name", out var n) ? n : "?";

    // After each validation: tells the scheduler every task's shortfall against the reference in use (the trainer's
    // ReferenceMetrics, else the first validation epoch).
    private void ObserveValidation(int epoch, EvaluationResult result)
    {
        if (_taskScheduler is null) return;
        var reference = _selection.Reference ?? result.Metrics;
        _taskScheduler.Observe(new ValidationFeedback(epoch, result, TaskShortfall.Compute(Model.Tasks, result, reference)));
    }

    // Holds a checkpoint's component state until a fit knows where it goes (the scheduler comes with the training data).
    private sealed class DeferredState : IStateful
    {
        public StateDict? State { get; private set; }

        public StateDict StateDict() => State ?? new StateDict();

        public void LoadStateDict(StateDict state) => State = state;
    }
}
