// The final summary of a training run: a table of test metrics (with baselines and Δ when trained), Δm, time, folder.
using System.Globalization;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Output;

/// <summary>Prints a <see cref="RunReport"/> as the end of <c>mtl train</c> (also with <c>--quiet</c>).</summary>
internal static class RunSummary
{
    /// <summary>The metrics table, Δm, the training budget used and where the run lives.</summary>
    public static void Write(CliIO io, RunReport report, FitResult? fit, string folder)
    {
        var mtl = report.MultiTask;
        var rows = new List<IReadOnlyList<string>>();
        bool baselines = report.SingleTask is not null;
        foreach (var task in report.Tasks)
            foreach (var (metric, value) in mtl.Metrics[task])
            {
                if (!baselines) { rows.Add([task, metric, Tables.Num(value)]); continue; }
                var c = report.Comparison!.First(x => x.Task == task && x.Metric == metric);
                rows.Add([task, metric, Tables.Num(value), Tables.Num(c.SingleTask), Percent(Relative(c.MultiTask, c.SingleTask, c.HigherIsBetter))]);
            }
        string[] headers = baselines ? ["task", "metric", "multi-task", "single-task", "gain"] : ["task", "metric", "test"];
        Tables.Write(io, headers, rows, $"test metrics ({report.Architecture})");
        if (report.DeltaM is { } dm)
            io.Out.WriteLine($"Δm (primary metrics): {Percent(dm)}   Δm (all metrics): {Percent(report.DeltaMAllMetrics ?? double.NaN)}   parameters: {mtl.Parameters:N0} multi-task vs {report.SingleTaskParameters:N0} single-task");
        if (fit is not null)
            io.Out.WriteLine($"trained {fit.Epochs} epoch(s), {fit.Steps} steps in {fit.Seconds:F1} s{(fit.BestEpoch >= 0 ? $"; kept epoch {fit.BestEpoch + 1} (best on validation)" : "")}; stopped: {fit.Reason.ToString().ToLowerInvariant()}");
        io.Out.WriteLine($"run folder: {folder}");
    }

    /// <summary>Sign-corrected relative gain in percent (positive = the multi-task model is better).</summary>
    public static double Relative(double mtl, double stl, bool higherIsBetter) =>
        stl == 0 || !double.IsFinite(stl) ? double.NaN : (higherIsBetter ? 1 : -1) * (mtl - stl) / stl * 100;

    /// <summary><c>+1.23%</c>, or <c>-</c> when undefined.</summary>
    public static string Percent(double v) => double.IsFinite(v) ? v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "%" : "-";
}
