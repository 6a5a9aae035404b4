// Live terminal progress with Spectre.Console: an epoch bar with ETA, a column per task's loss, and samples/s.
using Mtl.MultiTask.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mtl.Cli.Progress;

/// <summary>
/// Spectre progress bars: per followed trainer, a bar for the current epoch (steps, ETA, last loss of every task,
/// samples/s) and one for the whole run; finished epochs leave a summary line above the bars.
/// </summary>
internal sealed class LiveView(IAnsiConsole console, IReadOnlyList<string> tasks) : ITrainingView
{
    private readonly Dictionary<int, Dictionary<string, string>> _stats = [];
    private ProgressContext? _context;

    public T Run<T>(Func<T> work)
    {
        var columns = new List<ProgressColumn> { new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn() };
        columns.AddRange(tasks.Select(t => new StatColumn(this, t)));
        columns.Add(new StatColumn(this, "samples/s"));
        T result = default!;
        console.Progress().AutoClear(false).HideCompleted(true).Columns([.. columns]).Start(ctx =>
        {
            _context = ctx;
            try { result = work(); }
            finally { _context = null; }
        });
        return result;
    }

    public void Follow(MultiTaskTrainer trainer, string label)
    {
        ProgressTask? epochBar = null, runBar = null;
        int shownEpoch = -1;
        double speed = 0;
        trainer.ProgressChanged += p =>
        {
            var ctx = _context;
            if (ctx is null) return;
            speed = p.SamplesPerSecond;
            runBar ??= ctx.AddTask(Markup.Escape($"{label} run"), maxValue: Math.Max(1, (double)p.Epochs * p.StepsPerEpoch));
            runBar.Value = Math.Min(runBar.MaxValue, p.Step);
            if (epochBar is null || shownEpoch != p.Epoch)
            {
                epochBar?.StopTask();
                epochBar = ctx.AddTask(Markup.Escape($"{label} epoch {p.Epoch + 1}/{p.Epochs}"), maxValue: Math.Max(1, p.StepsPerEpoch));
                shownEpoch = p.Epoch;
            }
            epochBar.Value = p.StepInEpoch;
            var stats = p.LastLosses.ToDictionary(kv => kv.Key, kv => $"{kv.Key} {kv.Value:F4}");
            stats["samples/s"] = $"{p.SamplesPerSecond:F0}/s";
            lock (_stats)
            {
                _stats[epochBar.Id] = stats;
                _stats[runBar.Id] = new() { ["samples/s"] = $"step {p.Step}" };
            }
        };
        trainer.Callbacks.Add(new Callback(this, label, () => speed, () =>
        {
            epochBar?.StopTask();
            runBar?.StopTask();
        }));
    }

    // Lines wider than the terminal are broken at " | " ourselves: a line the terminal wraps leaves a stale copy of
    // the bars behind when the live display redraws.
    public void Line(string text)
    {
        int width = Math.Max(20, console.Profile.Width - 1);
        var line = "";
        foreach (var part in text.Split(" | "))
        {
            if (line.Length > 0 && line.Length + 3 + part.Length > width)
            {
                console.MarkupLine(Markup.Escape(line));
                line = "    " + part;
            }
            else line = line.Length == 0 ? part : line + " | " + part;
        }
        console.MarkupLine(Markup.Escape(line));
    }

    private string? Stat(ProgressTask task, string key)
    {
        lock (_stats) return _stats.TryGetValue(task.Id, out var s) && s.TryGetValue(key, out var v) ? v : null;
    }

    private sealed class StatColumn(LiveView view, string key) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(Markup.Escape(view.Stat(task, key) ?? ""));
    }

    private sealed class Callback(LiveView view, string label, Func<double> speed, Action end) : ITrainerCallback
    {
        public void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log) => view.Line(EpochText.Line(label, log, trainer.Options.Epochs, speed()));

        public void OnFitEnd(MultiTaskTrainer trainer, FitResult result) => end();
    }
}
