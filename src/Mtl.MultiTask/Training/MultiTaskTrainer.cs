// Trains a multi-task model: per-task masked losses weighted by λ, an optimiser step per batch, evaluation per epoch.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.NN.Optim;
using Mtl.Storage;

namespace Mtl.MultiTask.Training;

/// <summary>Options of <see cref="MultiTaskTrainer"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training loader.</summary>
    public int Epochs { get; init; } = 10;
}

/// <summary>One logged training step: the per-task losses (unweighted) and the weighted total.</summary>
public sealed record StepLog(long Step, int Epoch, IReadOnlyDictionary<string, double> TaskLosses, double Total);

/// <summary>Per-task metric values of one evaluation, by task then metric name.</summary>
public sealed record EvaluationResult(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics);

/// <summary>
/// The joint training loop with static task weights: for each batch, the weighted sum Σ λ_t·L_t of the tasks' losses
/// on their labelled samples is minimised with the given optimiser. A NaN or infinite loss stops training with a
/// <see cref="LossDivergedException"/> naming the task and the step. Each step runs inside a <see cref="TensorScope"/>.
/// </summary>
public sealed class MultiTaskTrainer(MultiTaskModel model, Optimizer optimizer, TrainerOptions? options = null)
{
    private readonly TrainerOptions _options = options ?? new TrainerOptions();

    /// <summary>The key under which <see cref="MultiTaskModel.AuxiliaryLoss"/> appears in <see cref="StepLog.TaskLosses"/>.</summary>
    public const string AuxiliaryLossName = "(auxiliary)";

    /// <summary>Steps taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>Called after every step (losses are already read back).</summary>
    public event Action<StepLog>? StepCompleted;

    /// <summary>Called after every epoch with its evaluation on the validation loader (if any).</summary>
    public event Action<int, EvaluationResult>? EpochCompleted;

    /// <summary>Trains for the configured epochs; returns the last validation result (or null without validation).</summary>
    public EvaluationResult? Fit(DataLoader train, DataLoader? validation = null)
    {
        EvaluationResult? last = null;
        for (int epoch = 0; epoch < _options.Epochs; epoch++)
        {
            model.Train();
            foreach (var batch in train.Epoch(epoch)) TrainStep(batch, epoch);
            if (validation is null) continue;
            last = Evaluate(validation);
            EpochCompleted?.Invoke(epoch, last);
        }
        return last;
    }

    private void TrainStep(MultiTaskBatch batch, int epoch)
    {
        using var scope = TensorScope.Begin();
        var outputs = model.Forward(batch.Input);
        var losses = TaskLosses.Compute(model.Tasks, outputs, batch, Step);
        Tensor? total = null;
        var values = new Dictionary<string, double>(losses.Count, StringComparer.Ordinal);
        foreach (var t in model.Tasks)
        {
            if (!losses.TryGetValue(t.Name, out var l)) continue;
            values[t.Name] = l.Item();
            var weighted = t.Weight == 1 ? l : l.MulScalar(t.Weight);
            total = total is null ? weighted : total.Add(weighted);
        }
        if (total is null) return; // no labels in this batch
        var auxiliary = model.AuxiliaryLoss();
        if (auxiliary is not null)
        {
            double a = auxiliary.Item();
            if (!double.IsFinite(a)) throw new LossDivergedException("(auxiliary loss)", Step + 1, a);
            values[AuxiliaryLossName] = a;
            total = total.Add(auxiliary);
        }
        optimizer.ZeroGrad();
        total.Backward();
        optimizer.Step();
        Step++;
        StepCompleted?.Invoke(new StepLog(Step, epoch, values, total.Item()));
    }

    /// <summary>Every task's metrics over one pass of <paramref name="loader"/>, in evaluation mode.</summary>
    public EvaluationResult Evaluate(DataLoader loader)
    {
        model.Eval();
        var metrics = model.Tasks.ToDictionary(t => t.Name, t => t.CreateMetrics(), StringComparer.Ordinal);
        using (GradMode.NoGrad())
        {
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var outputs = model.Forward(batch.Input);
                foreach (var t in model.Tasks)
                    foreach (var m in metrics[t.Name]) m.Update(outputs[t.Name], batch.Targets[t.Name], batch.Masks[t.Name]);
            }
        }
        model.Train();
        return new EvaluationResult(metrics.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyDictionary<string, double>)kv.Value.ToDictionary(m => m.Name, m => m.Compute())));
    }
}
