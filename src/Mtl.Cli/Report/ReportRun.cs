// What the HTML report shows of one run: its name, architecture, strategy, tasks, report.json and metrics.jsonl.
using Mtl.Cli.Runs;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Report;

/// <summary>One run's inputs to <see cref="HtmlReport"/>.</summary>
/// <param name="Name">The run folder's name.</param>
/// <param name="Architecture">The architecture's registered name.</param>
/// <param name="Strategy">The balancing strategy's registered name.</param>
/// <param name="Tasks">The tasks, in config order.</param>
/// <param name="Report">report.json (null when training did not finish).</param>
/// <param name="History">metrics.jsonl.</param>
internal sealed record ReportRun(string Name, string Architecture, string Strategy, IReadOnlyList<string> Tasks, RunReport? Report, RunHistory History)
{
    /// <summary>Reads a run folder's config.yaml, report.json (when present) and metrics.jsonl.</summary>
    public static ReportRun Load(RunFolder folder)
    {
        var config = folder.LoadConfig();
        var report = File.Exists(folder.ReportPath) ? RunReport.FromJson(File.ReadAllText(folder.ReportPath)) : null;
        return new ReportRun(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder.Path)), config.Architecture.Name, config.Strategy.Name,
            config.Tasks.Keys.ToList(), report, RunHistory.Load(folder.MetricsJsonlPath));
    }
}
