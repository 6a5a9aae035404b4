// A trainer callback that logs per-step and per-epoch scalars to a TensorBoard event file.
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Logging;

/// <summary>
/// Logs training to TensorBoard. Per step: <c>train/loss/TASK</c>, <c>train/loss/total</c>, <c>train/weight/TASK</c>,
/// <c>train/lr</c> and, on gradient-strategy steps, <c>train/cosine/A|B</c>. Per epoch (at the epoch's last step):
/// <c>train_epoch/loss/TASK</c>, <c>val/TASK/METRIC</c> and <c>score</c>. Flushed at each epoch's end. A fit that
/// continues a trainer past step 0 (a resumed run) starts with a <c>SessionLog.START</c> event at its first step, so
/// TensorBoard drops what an interrupted session logged after its last checkpoint instead of drawing those steps twice.
/// Add it to <see cref="MultiTaskTrainer.Callbacks"/>; it owns and disposes its writer.
/// </summary>
public sealed class TensorBoardLogger : ITrainerCallback, IDisposable
{
    private readonly TensorBoardWriter _writer;

    /// <summary>Logs to <paramref name="writer"/>.</summary>
    public TensorBoardLogger(TensorBoardWriter writer) => _writer = writer;

    /// <summary>Logs to a new event file in <paramref name="directory"/>.</summary>
    public TensorBoardLogger(string directory) : this(TensorBoardWriter.Create(directory)) { }

    /// <summary>The event file written.</summary>
    public string FilePath => _writer.FilePath;

    /// <inheritdoc/>
    public void OnFitStart(MultiTaskTrainer trainer)
    {
        if (trainer.Step > 0) _writer.SessionStart(trainer.Step + 1);
    }

    /// <inheritdoc/>
    public void OnStep(MultiTaskTrainer trainer, StepLog log)
    {
        var values = new List<(string, double)>();
        foreach (var (task, loss) in log.TaskLosses) values.Add(($"train/loss/{task}", loss));
        values.Add(("train/loss/total", log.Total));
        foreach (var (task, weight) in log.Weights) values.Add(($"train/weight/{task}", weight));
        values.Add(("train/lr", log.LearningRate));
        if (log.GradientCosines is { } cosines)
            foreach (var (pair, cosine) in cosines) values.Add(($"train/cosine/{pair}", cosine));
        _writer.Scalars(log.Step, values);
    }

    /// <inheritdoc/>
    public void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log)
    {
        var values = new List<(string, double)>();
        foreach (var (task, loss) in log.TrainLosses) values.Add(($"train_epoch/loss/{task}", loss));
        if (log.Validation is { } validation)
            foreach (var (task, metrics) in validation.Metrics)
                foreach (var (metric, value) in metrics) values.Add(($"val/{task}/{metric}", value));
        if (log.Score is { } score) values.Add(("score", score));
        _writer.Scalars(log.Step, values);
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void OnFitEnd(MultiTaskTrainer trainer, FitResult result) => _writer.Flush();

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
