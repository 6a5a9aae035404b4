// `mtl report RUN [RUN...] [--html OUT.html]`: a table comparing runs' final test metrics (and Δm), optionally an HTML page.
using System.CommandLine;
using Mtl.Cli.Config;
using Mtl.Cli.Output;
using Mtl.Cli.Report;
using Mtl.Cli.Runs;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Commands;

/// <summary>Compares finished runs side by side.</summary>
public static class ReportCommand
{
    internal const string Help = """
        Compare runs' final test metrics in one table.

        One row per run: its architecture, strategy, every task's test metrics from report.json, Δm against
        single-task baselines (runs trained with --baselines), epochs and training time. Runs trained with
        `fallback: true` also get a line saying which model (multi_task or single_task) predicts each task.
        --html also writes one self-contained HTML page with every run's learning curves, MTL-vs-STL table, task
        weights and task-gradient cosine heatmap (mtl train writes the same page for its run as report.html).

        Examples:
          mtl report runs/default-20260101-120000
          mtl report runs/* --html compare.html
        """;

    internal static Command Create(CliIO io)
    {
        var runs = new Argument<string[]>("RUN") { Description = "run folders written by mtl train", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "also write a self-contained HTML report of the runs to this file", HelpName = "OUT.html" };
        var command = new Command("report", Help) { runs, html };
        command.SetAction(r => Run(r.GetValue(runs) ?? [], io, r.GetValue(html)));
        return command;
    }

    /// <summary>Runs <c>mtl report</c>; with <paramref name="html"/>, also writes the HTML report there. Returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> runs, CliIO io, string? html = null) => CommandGuard.Run(io, () =>
    {
        if (runs.Count == 0) throw new ConfigException(null, "give at least one run folder");
        var loaded = runs.Select(Load).ToList();
        var columns = loaded.SelectMany(r => r.Report.Tasks.SelectMany(t => r.Report.MultiTask.Metrics[t].Keys.Select(m => (Task: t, Metric: m)))).Distinct().ToList();
        bool anyBaselines = loaded.Any(r => r.Report.DeltaM is not null);
        var headers = new List<string> { "run", "architecture", "strategy" };
        headers.AddRange(columns.Select(c => $"{c.Task} {c.Metric}"));
        if (anyBaselines) headers.Add("Δm");
        headers.AddRange(["epochs", "seconds"]);
        var rows = loaded.Select(r =>
        {
            var row = new List<string> { Path.GetFileName(Path.TrimEndingDirectorySeparator(r.Folder.Path)), r.Report.Architecture, r.Strategy };
            row.AddRange(columns.Select(c => r.Report.MultiTask.Metrics.TryGetValue(c.Task, out var m) && m.TryGetValue(c.Metric, out var v) ? Tables.Num(v) : "-"));
            if (anyBaselines) row.Add(r.Report.DeltaM is { } dm ? RunSummary.Percent(dm) : "-");
            row.Add(r.Report.MultiTask.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            row.Add(r.Report.MultiTask.Seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
            return (IReadOnlyList<string>)row;
        }).ToList();
        Tables.Write(io, headers, rows, $"test metrics of {loaded.Count} run(s)");
        foreach (var r in loaded.Where(r => r.Report.Routing is not null))
            io.Out.WriteLine($"fallback routing of {Path.GetFileName(Path.TrimEndingDirectorySeparator(r.Folder.Path))}: " +
                string.Join(", ", r.Report.Routing!.Routes.Select(kv => $"{kv.Key} → {kv.Value}")) + " (routed model: " +
                string.Join(", ", r.Report.Routing.Metrics.Select(t => $"{t.Key} {t.Value.First().Key} {Tables.Num(t.Value.First().Value)}")) + ")");
        if (html is not null)
        {
            HtmlReport.Write(html, loaded.Select(r => ReportRun.Load(r.Folder)).ToList());
            io.Out.WriteLine($"HTML report: {html}");
        }
        return ExitCodes.Ok;
    });

    private static (RunFolder Folder, RunReport Report, string Strategy) Load(string path)
    {
        var folder = RunFolder.Open(path);
        if (!File.Exists(folder.ReportPath))
            throw new ConfigException(null, $"{path} has no {RunFolder.ReportFile} (training did not finish; continue it with: mtl train --resume {path})");
        var report = RunReport.FromJson(File.ReadAllText(folder.ReportPath));
        return (folder, report, folder.LoadConfig().Strategy.Name);
    }
}
