// The trainer's checkpoints: last/best files written atomically, and resuming at the exact step they were taken.
using System.Globalization;
using System.Text.Json;
using Mtl.NN;
using Mtl.NN.Serialization;

namespace Mtl.MultiTask.Training;

public sealed partial class MultiTaskTrainer
{
    /// <summary>File name of the latest checkpoint in <see cref="TrainerOptions.CheckpointDirectory"/>.</summary>
    public const string LastFileName = "last.safetensors";

    /// <summary>File name of the best epoch's weights in <see cref="TrainerOptions.CheckpointDirectory"/>.</summary>
    public const string BestFileName = "best.safetensors";

    /// <summary>
    /// Writes the complete training state — model, optimiser, schedule, the default generator (dropout masks), step,
    /// epoch, position within the epoch, model-selection state — to <c>last.safetensors</c> in the checkpoint folder,
    /// atomically (a crash leaves the previous file intact). Returns the path.
    /// </summary>
    public string SaveCheckpoint()
    {
        var dir = _options.CheckpointDirectory ?? throw new InvalidOperationException("SaveCheckpoint: TrainerOptions.CheckpointDirectory is not set");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, LastFileName);
        var content = CheckpointContent.Capture(Model, Components(), Generators(), Step, Epoch, ConfigJson);
        Checkpoint.Save(path, content);
        LastCheckpointPath = path;
        return path;
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> (all of it or nothing, see
    /// <see cref="Checkpoint.Restore(string, Module, IReadOnlyDictionary{string, IStateful}?, IReadOnlyDictionary{string, Generator}?, bool)"/>);
    /// the next <see cref="Fit(TrainingSource, TrainingSource?, CancellationToken)"/> continues at the saved step, with
    /// the same batches, learning rates and random numbers as an uninterrupted run. The best weights are read from
    /// <c>best.safetensors</c> beside it when present. A multi-input run's task-scheduler state is kept until the next
    /// fit, which loads it into the training source's scheduler (and refuses a source whose scheduler does not fit); the
    /// task-affinity accumulators are restored when both the checkpoint and <see cref="TrainerOptions.AffinityEvery"/> have them.
    /// </summary>
    public void Resume(string checkpointPath)
    {
        var content = Checkpoint.Load(checkpointPath);
        var components = Components();
        components.Remove(TaskSchedulerComponent);
        var scheduler = new DeferredState();
        if (content.Components.ContainsKey(TaskSchedulerComponent)) components[TaskSchedulerComponent] = scheduler;
        if (!content.Components.ContainsKey(AffinityComponent)) components.Remove(AffinityComponent);
        else if (!components.ContainsKey(AffinityComponent)) components[AffinityComponent] = new DeferredState();   // measured before, not now: dropped
        Checkpoint.Restore(content, Model, components, Generators(), strict: true, $"'{checkpointPath}'");
        _resumePending = true;
        _resumedSchedulerState = scheduler.State;
        Step = content.Step;
        Epoch = content.Epoch;
        var best = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, BestFileName);
        _best = File.Exists(best) ? Checkpoint.Load(best).Model : null;
        LastCheckpointPath = checkpointPath;
    }

    private Dictionary<string, IStateful> Components()
    {
        var c = new Dictionary<string, IStateful>(StringComparer.Ordinal) { ["optim"] = Optimizer, ["trainer"] = new LoopState(this) };
        if (Scheduler is not null) c["sched"] = Scheduler;
        if (Strategy is not null) c["strategy"] = Strategy;
        if (_taskScheduler is not null) c[TaskSchedulerComponent] = _taskScheduler;
        if (_options.AffinityEvery is not null) c[AffinityComponent] = AffinityTracker();
        return c;
    }

    private static Dictionary<string, Generator> Generators() => new(StringComparer.Ordinal) { ["default"] = Init.DefaultGenerator };

    // Deep copy of a state dict (the live tensors change as training goes on).
    private static StateDict Snapshot(StateDict state)
    {
        var copy = new StateDict();
        foreach (var (k, t) in state.Tensors) copy[k] = t.Detach().Clone();
        return copy;
    }

    // The loop's own state as a checkpoint component: position in the epoch, model selection, and which parameters hold
    // a .Grad tensor — ZeroGrad keeps (zeroed) tensors, and an optimiser updates a parameter with a zero gradient but
    // skips one without, so when steps train only some tasks a resumed run must start with the same ones.
    private sealed class LoopState(MultiTaskTrainer trainer) : IStateful
    {
        public StateDict StateDict()
        {
            var s = new StateDict();
            var (best, epoch, without) = trainer._selection.State;
            s.Values["step_in_epoch"] = trainer._stepInEpoch.ToString(CultureInfo.InvariantCulture);
            s.Values["best_score"] = best.ToString("R", CultureInfo.InvariantCulture);
            s.Values["best_epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
            s.Values["epochs_without_improvement"] = without.ToString(CultureInfo.InvariantCulture);
            s.Values["reference"] = JsonSerializer.Serialize(trainer._selection.Reference);
            s.Values["best_result"] = JsonSerializer.Serialize(trainer._bestResult?.Metrics);
            s.Values["with_grad"] = string.Join(",", trainer.Model.Parameters().Select((p, i) => (p, i)).Where(x => x.p.Grad is not null)
                .Select(x => x.i.ToString(CultureInfo.InvariantCulture)));
            return s;
        }

        public void LoadStateDict(StateDict state)
        {
            string Get(string key) => state.Values.TryGetValue(key, out var v) ? v
                : throw new CheckpointException($"trainer state: '{key}' is missing");
            int stepInEpoch = int.Parse(Get("step_in_epoch"), CultureInfo.InvariantCulture);
            double best = double.Parse(Get("best_score"), CultureInfo.InvariantCulture);
            int bestEpoch = int.Parse(Get("best_epoch"), CultureInfo.InvariantCulture);
            int without = int.Parse(Get("epochs_without_improvement"), CultureInfo.InvariantCulture);
            var reference = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(Get("reference"));
            var bestResult = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(Get("best_result"));
            var parameters = trainer.Model.Parameters().ToArray();
            HashSet<int>? withGrad = null;
            if (state.Values.TryGetValue("with_grad", out var list))    // absent in older checkpoints: leave the gradients as they are
            {
                withGrad = list.Length == 0 ? [] : list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToHashSet();
                if (withGrad.Any(i => i < 0 || i >= parameters.Length))
                    throw new CheckpointException($"trainer state: 'with_grad' names parameters beyond the model's {parameters.Length}");
            }
            trainer._stepInEpoch = stepInEpoch;
            if (withGrad is not null)
                for (int i = 0; i < parameters.Length; i++)
                {
                    var p = parameters[i];
                    if (!withGrad.Contains(i)) p.Grad = null;
                    else if (p.Grad is null)
                    {
                        var zero = Tensor.EmptyUnscoped(p.ShapeArray, p.DType);
                        zero.Zero();
                        p.Grad = zero;
                    }
                }
            trainer._selection.Restore(best, bestEpoch, without, reference?.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, double>)kv.Value, StringComparer.Ordinal));
            trainer._bestResult = bestResult is null ? null : new EvaluationResult(bestResult.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, double>)kv.Value, StringComparer.Ordinal));
        }
    }
}
