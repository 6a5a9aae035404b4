// Writes metrics.csv: one row per training step (step, epoch, total, lr, each task's loss and weight, auxiliary loss).
using System.Globalization;
using System.Text;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Runs;

/// <summary>
/// A trainer callback appending one CSV row per step: <c>step,epoch,total,lr,loss_TASK…,weight_TASK…,aux_loss</c>
/// (empty cells where a value is absent or not finite). A resumed run appends to the same file without a new header.
/// </summary>
internal sealed class MetricsCsv : ITrainerCallback, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly string[] _tasks;

    public MetricsCsv(string path, IReadOnlyList<string> tasks)
    {
        _tasks = tasks.ToArray();
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        if (fresh) _writer.WriteLine(string.Join(',', Header(_tasks)));
    }

    /// <summary>The column names for <paramref name="tasks"/>.</summary>
    public static IEnumerable<string> Header(IReadOnlyList<string> tasks) =>
        new[] { "step", "epoch", "total", "lr" }.Concat(tasks.Select(t => $"loss_{t}")).Concat(tasks.Select(t => $"weight_{t}")).Append("aux_loss");

    public void OnStep(MultiTaskTrainer trainer, StepLog log)
    {
        var cells = new List<string> { log.Step.ToString(CultureInfo.InvariantCulture), log.Epoch.ToString(CultureInfo.InvariantCulture), Num(log.Total), Num(log.LearningRate) };
        cells.AddRange(_tasks.Select(t => log.TaskLosses.TryGetValue(t, out var v) ? Num(v) : ""));
        cells.AddRange(_tasks.Select(t => log.Weights.TryGetValue(t, out var v) ? Num(v) : ""));
        cells.Add(log.TaskLosses.TryGetValue(MultiTaskTrainer.AuxiliaryLossName, out var aux) ? Num(aux) : "");
        _writer.WriteLine(string.Join(',', cells));
    }

    public void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log) => _writer.Flush();

    public void OnFitEnd(MultiTaskTrainer trainer, FitResult result) => _writer.Flush();

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    public void Dispose() => _writer.Dispose();
}
