// Reads a run's metrics.jsonl back into step and epoch records for the HTML report's plots.
using System.Text.Json;

namespace Mtl.Cli.Report;

/// <summary>One step record of metrics.jsonl (null numbers read as NaN).</summary>
internal sealed record StepPoint(long Step, IReadOnlyDictionary<string, double> Losses, IReadOnlyDictionary<string, double> Weights,
    double LearningRate, IReadOnlyDictionary<string, double>? Cosines);

/// <summary>One epoch record of metrics.jsonl: validation metrics (task → metric → value) and score.</summary>
internal sealed record EpochPoint(int Epoch, long Step, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Validation, double? Score);

/// <summary>A run's training history as <see cref="Mtl.MultiTask.Training.MetricsLog"/> wrote it.</summary>
internal sealed record RunHistory(IReadOnlyList<StepPoint> Steps, IReadOnlyList<EpochPoint> Epochs)
{
    /// <summary>Reads <paramref name="path"/>; an absent file is an empty history.</summary>
    public static RunHistory Load(string path)
    {
        var steps = new List<StepPoint>();
        var epochs = new List<EpochPoint>();
        if (!File.Exists(path)) return new RunHistory(steps, epochs);
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            switch (e.GetProperty("type").GetString())
            {
                case "step":
                    steps.Add(new StepPoint(e.GetProperty("step").GetInt64(), Map(e, "loss"), Map(e, "weights"), Number(e, "lr"),
                        e.TryGetProperty("cosines", out _) ? Map(e, "cosines") : null));
                    break;
                case "epoch":
                    var val = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
                    if (e.TryGetProperty("val", out var v))
                        foreach (var task in v.EnumerateObject()) val[task.Name] = Map(v, task.Name);
                    epochs.Add(new EpochPoint(e.GetProperty("epoch").GetInt32(), e.GetProperty("step").GetInt64(), val,
                        e.TryGetProperty("score", out _) ? Number(e, "score") : null));
                    break;
            }
        }
        return new RunHistory(steps, epochs);
    }

    private static Dictionary<string, double> Map(JsonElement e, string name)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        if (e.TryGetProperty(name, out var o) && o.ValueKind == JsonValueKind.Object)
            foreach (var p in o.EnumerateObject()) map[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN;
        return map;
    }

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
