// `fallback: true` in a config: report.json's routing section, `mtl report`'s routing line, and the config errors.
using System.Text.Json;

namespace Mtl.Cli.Tests;

public sealed class FallbackConfigTests
{
    [Fact]
    public void A_fallback_run_reports_each_tasks_model_and_mtl_report_prints_it()
    {
        var output = CliRun.TempDir();
        var train = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--out", output, "--plain", "--baselines", "--set", "fallback=true", "--set", "trainer.epochs=1");
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.Contains("fallback routing: top_left → ", train.Out);
        var run = Directory.GetDirectories(output).Single();
        var routing = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json"))).RootElement.GetProperty("routing");
        foreach (var task in new[] { "top_left", "bottom_right" })
        {
            Assert.Contains(routing.GetProperty("routes").GetProperty(task).GetString(), new[] { "multi_task", "single_task" });
            Assert.InRange(routing.GetProperty("metrics").GetProperty(task).GetProperty("accuracy").GetDouble(), 0, 1);
        }
        Assert.Equal(2, routing.GetProperty("validation").GetArrayLength());
        Assert.Contains("fallback: true", File.ReadAllText(Path.Combine(run, "config.yaml")));
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("Fallback routing", html);
        Assert.Contains("answered by", html);

        var report = CliRun.Mtl("report", run);
        Assert.True(report.ExitCode == 0, report.Err);
        Assert.Contains("fallback routing of ", report.Out);
        Assert.Contains("top_left → ", report.Out);
    }

    [Fact]
    public void Fallback_without_baselines_is_a_config_error_before_any_run_folder_is_made()
    {
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--out", output, "--plain", "--set", "fallback=true");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("baselines", r.Err);
        Assert.Empty(Directory.GetDirectories(output));
    }
}
