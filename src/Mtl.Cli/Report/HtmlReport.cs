// Builds report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources) for one or more runs.
using System.Globalization;
using System.Xml.Linq;
using Mtl.Cli.Output;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Report;

/// <summary>
/// The HTML report: per run, learning curves per task (training loss per step, each validation metric per epoch), the
/// multi-task vs single-task table with Δm (runs trained with baselines), the task weights applied per step and the
/// mean task-gradient cosine-similarity heatmap. Several runs get a comparison table first.
/// </summary>
internal static class HtmlReport
{
    private const string Css = """
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1180px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        th { background: #f2f2f2; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; }
        svg text { font-family: sans-serif; fill: #222; }
        svg .title { font-size: 13px; font-weight: bold; }
        svg .axis { font-size: 12px; } svg .tick { font-size: 10px; fill: #555; } svg .legend { font-size: 11px; }
        svg .cell { font-size: 13px; } svg .light { fill: #ffffff; }
        .note { color: #666; font-style: italic; font-size: 13px; }
        .meta { color: #444; font-size: 13px; }
        """;

    private static readonly HashSet<string> Void = new(StringComparer.Ordinal) { "meta", "br", "hr", "img", "link" };

    /// <summary>The page for <paramref name="runs"/> as an HTML5 document.</summary>
    public static string Build(IReadOnlyList<ReportRun> runs)
    {
        string heading = runs.Count == 1 ? $"Mtl run {runs[0].Name}" : $"Mtl: {runs.Count} runs compared";
        var body = new XElement("body", new XElement("h1", heading));
        if (runs.Count > 1) body.Add(new XElement("h2", "Comparison"), Comparison(runs));
        foreach (var run in runs) body.Add(Section(run));
        var html = new XElement("html", new XAttribute("lang", "en"),
            new XElement("head", new XElement("meta", new XAttribute("charset", "utf-8")), new XElement("title", heading), new XElement("style", Css)),
            body);
        CloseEmptyHtmlElements(html);
        return "<!DOCTYPE html>\n" + html.ToString(SaveOptions.None) + "\n";
    }

    /// <summary>Writes the page for <paramref name="runs"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<ReportRun> runs)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Build(runs));
    }

    private static XElement Section(ReportRun run)
    {
        var section = new XElement("section", new XAttribute("id", $"run-{run.Name}"), new XElement("h2", run.Name),
            new XElement("p", new XAttribute("class", "meta"),
                $"architecture {run.Architecture} · strategy {run.Strategy} · tasks {string.Join(", ", run.Tasks)} · {run.History.Steps.Count} steps, {run.History.Epochs.Count} epochs"));

        section.Add(new XElement("h3", "Learning curves"));
        var curves = new XElement("div", new XAttribute("class", "charts"));
        curves.Add(LineChart.Draw("training loss per step", "step", "loss",
            LossSeries(run).ToList()));
        foreach (var metric in run.History.Epochs.SelectMany(e => e.Validation.Values.SelectMany(m => m.Keys)).Distinct())
            curves.Add(LineChart.Draw($"validation {metric} per epoch", "epoch", metric,
                run.Tasks.Where(t => run.History.Epochs.Any(e => e.Validation.TryGetValue(t, out var m) && m.ContainsKey(metric)))
                    .Select(t => new Series(t, run.History.Epochs.Select(e => ((double)(e.Epoch + 1), e.Validation.TryGetValue(t, out var m) && m.TryGetValue(metric, out var v) ? v : double.NaN)).ToList()))
                    .ToList()));
        if (!run.History.Epochs.Any(e => e.Validation.Count > 0)) section.Add(Note("no validation data in this run: no per-epoch curves"));
        section.Add(curves);

        section.Add(new XElement("h3", "Multi-task vs single-task"), ResultTable(run));

        section.Add(new XElement("h3", "Task weights over time"));
        var weights = run.Tasks.Select(t => new Series(t, run.History.Steps.Select(s => ((double)s.Step, s.Weights.TryGetValue(t, out var w) ? w : double.NaN)).ToList())).ToList();
        if (weights.Any(s => s.Points.Any(p => double.IsFinite(p.Y))))
            section.Add(new XElement("div", new XAttribute("class", "charts"), LineChart.Draw($"task weights per step ({run.Strategy})", "step", "weight", weights)));
        else section.Add(Note($"the {run.Strategy} strategy combines task gradients, not weighted losses: no task weights to show"));

        section.Add(new XElement("h3", "Task-gradient cosine similarity"));
        var cosine = MeanCosines(run);
        if (cosine is null) section.Add(Note("no gradient-level strategy in this run"));
        else
        {
            int steps = run.History.Steps.Count(s => s.Cosines is not null);
            section.Add(new XElement("p", new XAttribute("class", "meta"), $"mean over {steps} steps of cos(g_a, g_b) between task gradients of the shared parameters"),
                Heatmap.Draw("mean task-gradient cosine similarity", run.Tasks, cosine));
        }
        return section;
    }

    private static IEnumerable<Series> LossSeries(ReportRun run)
    {
        var names = run.Tasks.Concat(run.History.Steps.SelectMany(s => s.Losses.Keys)).Distinct();
        foreach (var name in names)
            yield return new Series(name, run.History.Steps.Select(s => ((double)s.Step, s.Losses.TryGetValue(name, out var v) ? v : double.NaN)).ToList());
    }

    // (i, j) → mean cosine over the steps that logged the pair; 1 on the diagonal; null when no step logged cosines.
    private static Func<int, int, double>? MeanCosines(ReportRun run)
    {
        var logged = run.History.Steps.Where(s => s.Cosines is not null).Select(s => s.Cosines!).ToList();
        if (logged.Count == 0) return null;
        double Mean(string key)
        {
            var values = logged.Where(c => c.ContainsKey(key)).Select(c => c[key]).Where(double.IsFinite).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        var tasks = run.Tasks;
        var grid = new double[tasks.Count, tasks.Count];
        for (int i = 0; i < tasks.Count; i++)
            for (int j = 0; j < tasks.Count; j++)
                grid[i, j] = i == j ? 1 : Mean(i < j ? $"{tasks[i]}|{tasks[j]}" : $"{tasks[j]}|{tasks[i]}");
        return (i, j) => grid[i, j];
    }

    private static object ResultTable(ReportRun run)
    {
        if (run.Report is not { } report) return Note("training did not finish: no report.json");
        var table = new XElement("table");
        if (report.Comparison is { } rows)
        {
            table.Add(Row("th", "task", "metric", "multi-task", "single-task", "gain"));
            foreach (var c in rows)
                table.Add(Row("td", c.Task, c.Metric, Tables.Num(c.MultiTask), Tables.Num(c.SingleTask), RunSummary.Percent(RunSummary.Relative(c.MultiTask, c.SingleTask, c.HigherIsBetter))));
            table.Add(Row("th", "Δm (primary metrics)", "", "", "", RunSummary.Percent(report.DeltaM ?? double.NaN)));
            table.Add(Row("th", "Δm (all metrics)", "", "", "", RunSummary.Percent(report.DeltaMAllMetrics ?? double.NaN)));
            table.Add(Row("td", "parameters", "", report.MultiTask.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                (report.SingleTaskParameters ?? 0).ToString("N0", CultureInfo.InvariantCulture), ""));
            return report.Routing is { } routing ? new XElement("div", table, RoutingTable(routing)) : table;
        }
        table.Add(Row("th", "task", "metric", "multi-task"));
        foreach (var t in report.Tasks)
            foreach (var (metric, v) in report.MultiTask.Metrics[t]) table.Add(Row("td", t, metric, Tables.Num(v)));
        return new XElement("div", table, Note($"{report.EvaluatedOn} metrics; no single-task baselines in this run (train with --baselines for Δm)"));
    }

    // Fallback routing: which model answers for each task, the validation values that decided it, the routed test metric.
    private static XElement RoutingTable(RoutingReport routing)
    {
        var table = new XElement("table", Row("th", "task", "answered by", "metric", "validation multi-task", "validation single-task", "routed test"));
        foreach (var v in routing.Validation)
        {
            double test = routing.Metrics.TryGetValue(v.Task, out var m) && m.TryGetValue(v.Metric, out var x) ? x : double.NaN;
            table.Add(Row("td", v.Task, routing.Routes[v.Task].Replace('_', '-'), v.Metric, Tables.Num(v.MultiTask), Tables.Num(v.SingleTask), Tables.Num(test)));
        }
        return new XElement("div", new XElement("h3", "Fallback routing"), table);
    }

    private static XElement Comparison(IReadOnlyList<ReportRun> runs)
    {
        var columns = runs.Where(r => r.Report is not null)
            .SelectMany(r => r.Report!.Tasks.SelectMany(t => r.Report.MultiTask.Metrics[t].Keys.Select(m => (Task: t, Metric: m)))).Distinct().ToList();
        var table = new XElement("table", Row("th", ["run", "architecture", "strategy", .. columns.Select(c => $"{c.Task} {c.Metric}"), "Δm", "epochs"]));
        foreach (var r in runs)
        {
            var m = r.Report?.MultiTask.Metrics;
            table.Add(Row("td", [r.Name, r.Architecture, r.Strategy,
                .. columns.Select(c => m is not null && m.TryGetValue(c.Task, out var x) && x.TryGetValue(c.Metric, out var v) ? Tables.Num(v) : "-"),
                r.Report?.DeltaM is { } dm ? RunSummary.Percent(dm) : "-", r.Report?.MultiTask.Epochs.ToString(CultureInfo.InvariantCulture) ?? "-"]));
        }
        return table;
    }

    private static XElement Row(string cell, params string[] values) => new("tr", values.Select(v => new XElement(cell, v)));

    private static XElement Note(string text) => new("p", new XAttribute("class", "note"), text);

    // XML would write <td/>, which HTML parses as an open tag: give every empty non-void HTML element an end tag.
    // (SVG elements may self-close: HTML parses inline SVG as foreign content.)
    private static void CloseEmptyHtmlElements(XElement root)
    {
        foreach (var e in root.DescendantsAndSelf().Where(e => e.IsEmpty && !Void.Contains(e.Name.LocalName) && !e.AncestorsAndSelf("svg").Any()).ToList())
            e.Value = "";
    }
}
