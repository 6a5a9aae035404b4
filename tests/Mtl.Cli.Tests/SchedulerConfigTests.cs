// data.scheduler and trainer.affinity_every: the exact errors, the resolved config, and small runs that use them.
using System.Text.Json;
using Mtl.Cli.Config;

namespace Mtl.Cli.Tests;

public class SchedulerConfigTests
{
    private static void AssertError(string expected, params string[] args)
    {
        var r = CliRun.Mtl(["train", .. args, "--out", CliRun.TempDir()]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: " + expected, r.Err.TrimEnd());
    }

    [Fact]
    public void Unknown_scheduler_lists_the_registered_ones()
    {
        var path = CliRun.WriteConfig("data:\n  name: text\n  batching: per_task\n  scheduler: fastest\n");
        AssertError($"{path}:4:14: unknown task scheduler 'fastest' in 'data.scheduler.name'; allowed: all, annealed, lagging, proportional, round-robin, temperature", path);
    }

    [Fact]
    public void Scheduler_on_joint_data_is_refused_at_the_key()
    {
        var path = CliRun.WriteConfig("data:\n  name: multifashion\n  scheduler: round-robin\n");
        AssertError($"{path}:3:3: 'data.scheduler' applies to multi-input data only (each task with its own inputs, e.g. dataset 'text'); " +
            "dataset 'multifashion' is joint: every batch carries every task's labels, so there is no task to schedule", path);
    }

    [Fact]
    public void Scheduler_with_mixed_batches_asks_for_per_task_batches()
    {
        var path = CliRun.WriteConfig("data:\n  name: text\n  scheduler: temperature\n");
        AssertError($"{path}:3:3: 'data.scheduler' picks the tasks of each step, so it needs one batch per task: set data.batching: per_task (mixed batches carry every task)", path);
    }

    [Fact]
    public void Unknown_scheduler_option_lists_its_options_and_an_override_can_extend_the_shorthand()
    {
        var path = CliRun.WriteConfig("data:\n  name: text\n  batching: per_task\n  scheduler:\n    name: temperature\n    temp: 3\n");
        AssertError($"{path}:6:5: unknown key 'temp' in 'data.scheduler'; allowed: name, tau, seed", path);
        var c = ConfigLoader.LoadText("data:\n  name: text\n  batching: per_task\n  scheduler: temperature\n", "t.yaml", "t", ["data.scheduler.tau=3"]);
        Assert.Equal("temperature", c.TaskScheduler!.Name);
        Assert.Equal(3, ((Mtl.MultiTask.Scheduling.TemperatureOptions)c.TaskScheduler.Options).Tau);
        // The resolved config carries the scheduler and reads back unchanged.
        var yaml = ConfigWriter.ToYaml(c);
        Assert.Contains("  scheduler:\n    name: temperature\n    tau: 3\n", yaml.Replace("\r\n", "\n"));
        Assert.Equal(yaml, ConfigWriter.ToYaml(ConfigLoader.LoadText(yaml, "r.yaml", "t")));
    }

    [Fact]
    public void Data_allowed_keys_name_the_scheduler_for_text_only()
    {
        var path = CliRun.WriteConfig("data:\n  name: text\n  sched: all\n");
        AssertError($"{path}:3:3: unknown key 'sched' in 'data'; allowed: name, scheduler, directory, max_length, min_frequency, batching, validation_fraction", path);
    }

    [Fact]
    public void Affinity_every_below_one_is_refused()
    {
        var tiny = Path.Combine(CliRun.Examples, "tiny.yaml");
        int line = Array.FindIndex(File.ReadAllLines(tiny), l => l.StartsWith("trainer:", StringComparison.Ordinal)) + 2;
        AssertError($"{tiny}:{line}:3: 'trainer.affinity_every' must be at least 1 (leave it out to measure no affinity), got 0",
            tiny, "--set", "trainer.affinity_every=0");
    }

    [Fact]
    public void A_tiny_text_run_with_round_robin_trains_one_task_per_step()
    {
        var path = CliRun.WriteConfig("""
            name: text-rr
            data:
              name: text
              batching: per_task
              max_length: 24
              scheduler: round-robin
            trunk:
              name: text
              embedding_dim: 8
              hidden_size: 8
            optimizer:
              name: adam
              lr: 0.01
            trainer:
              epochs: 1
              batch_size: 16
              max_steps: 6
            """);
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", path, "--out", output, "--plain", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.Contains("    name: round-robin\n", File.ReadAllText(Path.Combine(run, "config.yaml")).Replace("\r\n", "\n"));
        var steps = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "step").ToList();
        Assert.Equal(6, steps.Count);
        Assert.True(File.Exists(Path.Combine(run, "report.json")));
    }

    [Fact]
    public void Affinity_every_writes_the_affinity_to_the_epoch_records()
    {
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--set", "trainer.affinity_every=3", "--set", "trainer.epochs=1", "--out", output, "--plain", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var run = Assert.Single(Directory.GetDirectories(output));
        var epoch = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("type").GetString() == "epoch");
        Assert.True(epoch.TryGetProperty("affinity", out _), epoch.ToString());
    }
}
