// report.html: written by mtl train and mtl report --html, self-contained, well-formed, with a curve per task.
using System.Xml.Linq;
using Mtl.Cli.Report;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Tests;

public class HtmlReportTests(TinyRunFixture tiny) : IClassFixture<TinyRunFixture>
{
    private static readonly string[] Tasks = ["top_left", "bottom_right"];

    // The page minus its doctype, parsed as XML: it must be well-formed.
    private static XElement Parse(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>\n", html);
        return XElement.Parse(html["<!DOCTYPE html>\n".Length..]);
    }

    private static void AssertSelfContained(string html)
    {
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Train_writes_a_self_contained_report_with_a_curve_per_task()
    {
        Assert.True(tiny.Result.ExitCode == 0, tiny.Result.Err);
        var html = File.ReadAllText(Path.Combine(tiny.Run, "report.html"));
        AssertSelfContained(html);
        var page = Parse(html);
        Assert.Equal("html", page.Name.LocalName);
        var charts = page.Descendants("svg").ToList();
        // training loss per step, validation accuracy and macro F1 per epoch, task weights per step (equal weighting).
        Assert.Equal(4, charts.Count);
        foreach (var title in new[] { "training loss per step", "validation accuracy per epoch", "validation macro_f1 per epoch", "task weights per step (ew)" })
        {
            var chart = Assert.Single(charts, c => c.Element("title")?.Value == title);
            foreach (var task in Tasks)
            {
                var line = Assert.Single(chart.Elements("polyline"), p => (string?)p.Attribute("data-series") == task);
                int points = ((string)line.Attribute("points")!).Split(' ').Length;
                Assert.Equal(title.Contains("epoch") ? 2 : 12, points);
                Assert.Contains(chart.Elements("text"), t => t.Value == task);      // legend
            }
        }
        Assert.Contains("no gradient-level strategy in this run", html);
        Assert.Contains("no single-task baselines in this run", html);
        Assert.DoesNotContain("<td />", html);
        Assert.DoesNotContain("<p />", html);
    }

    [Fact]
    public void Report_html_writes_one_page_comparing_several_runs()
    {
        var output = Path.Combine(CliRun.TempDir(), "compare.html");
        var result = CliRun.Mtl("report", tiny.Run, tiny.Run, "--html", output);
        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Contains($"HTML report: {output}", result.Out);
        var html = File.ReadAllText(output);
        AssertSelfContained(html);
        var page = Parse(html);
        Assert.Equal("Mtl: 2 runs compared", page.Descendants("h1").Single().Value);
        Assert.Equal(2, page.Descendants("section").Count());
        Assert.Equal(8, page.Descendants("svg").Count());
    }

    [Fact]
    public void Baselines_give_the_delta_m_table_and_gradient_cosines_a_heatmap()
    {
        string[] tasks = ["a", "b", "c"];
        var steps = Enumerable.Range(1, 4).Select(i => new StepPoint(i,
            tasks.ToDictionary(t => t, t => 1.0 / i), tasks.ToDictionary(t => t, _ => double.NaN), 0.01,
            new Dictionary<string, double> { ["a|b"] = i % 2 == 0 ? 0.5 : 0.3, ["a|c"] = -0.8, ["b|c"] = double.NaN })).ToList();
        var epochs = new[] { new EpochPoint(0, 4, tasks.ToDictionary(t => t, t => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["mae"] = 0.2 }), 0.1) };
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics(double v) => tasks.ToDictionary(t => t, t => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["mae"] = v });
        var report = new RunReport
        {
            Architecture = "hard", Strategy = "pcgrad", Tasks = tasks, EvaluatedOn = "test",
            MultiTask = new ModelReport(Metrics(0.9), 100, 1, 1, 0),
            SingleTask = tasks.ToDictionary(t => t, t => new ModelReport(Metrics(1.0), 50, 1, 1, 0)),
            Comparison = tasks.Select(t => new MetricComparison(t, "mae", 0.9, 1.0, false)).ToList(),
            DeltaM = 10, DeltaMAllMetrics = 10, SingleTaskParameters = 150, SingleTaskSeconds = 3,
        };
        var html = HtmlReport.Build([new ReportRun("grad", "hard", "pcgrad", tasks, report, new RunHistory(steps, epochs))]);
        AssertSelfContained(html);
        var page = Parse(html);
        var heatmap = Assert.Single(page.Descendants("svg"), s => (string?)s.Attribute("class") == "heatmap");
        Assert.Equal(9, heatmap.Elements("rect").Count());
        var cells = heatmap.Elements("text").Where(t => (string?)t.Attribute("class") is "cell" or "cell light").Select(t => t.Value).ToList();
        Assert.Equal(["1.00", "0.40", "-0.80", "0.40", "1.00", "–", "-0.80", "–", "1.00"], cells);
        Assert.Contains("mean over 4 steps", html);
        Assert.Contains("the pcgrad strategy combines task gradients, not weighted losses", html);
        Assert.Contains(">+10.00%<", html);                                        // gain per task and Δm
        var rows = page.Descendants("tr").Select(r => string.Join("|", r.Elements().Select(c => c.Value))).ToList();
        Assert.Contains("a|mae|0.9000|1.0000|+10.00%", rows);
        Assert.Contains("Δm (primary metrics)||||+10.00%", rows);
    }
}
