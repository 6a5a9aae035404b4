// How training progress is shown: live bars on a terminal, one line per epoch in logs, or nothing (--quiet).
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Progress;

/// <summary>A way of showing training as it happens.</summary>
internal interface ITrainingView
{
    /// <summary>Runs the whole training (all models of the run) inside the view and returns its result.</summary>
    T Run<T>(Func<T> work);

    /// <summary>Shows <paramref name="trainer"/>'s progress under <paramref name="label"/> (e.g. <c>mtl</c>, <c>stl top_left</c>).</summary>
    void Follow(MultiTaskTrainer trainer, string label);

    /// <summary>Prints a message line (above the live bars, if any).</summary>
    void Line(string text);
}

/// <summary>Text for epoch lines shared by the views.</summary>
internal static class EpochText
{
    /// <summary><c>top_left 0.8123  bottom_right 0.9021</c> — the mean training loss of each task.</summary>
    public static string Losses(IReadOnlyDictionary<string, double> losses) =>
        string.Join("  ", losses.Select(kv => $"{kv.Key} {Output.Tables.Num(kv.Value)}"));

    /// <summary><c>top_left accuracy 0.6120  bottom_right accuracy 0.5930</c> — each task's primary (first) validation metric.</summary>
    public static string Validation(EvaluationResult? result) => result is null ? "" :
        string.Join("  ", result.Metrics.Select(kv => kv.Value.Count == 0 ? kv.Key : $"{kv.Key} {kv.Value.First().Key} {Output.Tables.Num(kv.Value.First().Value)}"));

    /// <summary>One line for a finished epoch.</summary>
    public static string Line(string label, EpochLog log, int epochs, double samplesPerSecond)
    {
        var parts = new List<string> { $"[{label}] epoch {log.Epoch + 1}/{epochs}", $"loss {Losses(log.TrainLosses)}" };
        if (log.Validation is not null) parts.Add($"val {Validation(log.Validation)}{(log.IsBest ? " (best)" : "")}");
        parts.Add($"{samplesPerSecond:F0} samples/s");
        parts.Add($"{log.Seconds:F1} s");
        return string.Join(" | ", parts);
    }
}
