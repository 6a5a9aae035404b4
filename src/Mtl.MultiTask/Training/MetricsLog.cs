// Appends one JSON object per training step and per epoch to a JSON-lines file (flushed per epoch).
using System.Text;
using System.Text.Json;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The run's metrics log as JSON lines. Step records: <c>{"type":"step","step":..,"epoch":..,"loss":{task:..},
/// "total":..,"weights":{task:..},"lr":..,"cosines":{"a|b":..}}</c> (cosines on gradient-strategy steps); epoch records: <c>{"type":"epoch","epoch":..,"step":..,
/// "train_loss":{task:..},"val":{task:{metric:..}},"score":..,"best":..,"seconds":..,"affinity":{from:{onto:..}}}</c>
/// (affinity when measured, see <see cref="TrainerOptions.AffinityEvery"/>). Non-finite numbers are
/// written as null. Appends, so a resumed run continues its log.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    public MetricsLog(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        FilePath = path;
    }

    /// <summary>The file written.</summary>
    public string FilePath { get; }

    public void Write(StepLog log) => Line(w =>
    {
        w.WriteString("type", "step");
        w.WriteNumber("step", log.Step);
        w.WriteNumber("epoch", log.Epoch);
        Map(w, "loss", log.TaskLosses);
        Number(w, "total", log.Total);
        Map(w, "weights", log.Weights);
        Number(w, "lr", log.LearningRate);
        if (log.GradientCosines is { } c) Map(w, "cosines", c);
    });

    public void Write(EpochLog log) => Line(w =>
    {
        w.WriteString("type", "epoch");
        w.WriteNumber("epoch", log.Epoch);
        w.WriteNumber("step", log.Step);
        Map(w, "train_loss", log.TrainLosses);
        if (log.Validation is { } v)
        {
            w.WriteStartObject("val");
            foreach (var (task, metrics) in v.Metrics) Map(w, task, metrics);
            w.WriteEndObject();
        }
        if (log.Score is { } s) Number(w, "score", s);
        w.WriteBoolean("best", log.IsBest);
        Number(w, "seconds", log.Seconds);
        if (log.Affinity is { } a)
        {
            w.WriteStartObject("affinity");
            foreach (var (from, row) in a) Map(w, from, row);
            w.WriteEndObject();
        }
    }, flush: true);

    private void Line(Action<Utf8JsonWriter> body, bool flush = false)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        _writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        if (flush) _writer.Flush();
    }

    private static void Map(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, double> values)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in values) Number(w, k, v);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public void Dispose() => _writer.Dispose();
}
