// Every example config loads, validates against the registries and builds its data and model (no training).
using Mtl.Cli.Config;
using Mtl.Cli.Runs;

namespace Mtl.Cli.Tests;

public class ExampleConfigTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CliRun.Examples, "*.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_loads_and_builds(string file)
    {
        var config = ConfigLoader.LoadFile(Path.Combine(CliRun.Examples, file));
        using var session = TrainSession.Prepare(config, RunFolder.Plan(CliRun.TempDir(), config.Name, DateTime.Now));
        Assert.True(session.Trainer.Model.ParameterCount() > 0);
        Assert.Equal(config.Tasks.Keys, session.Trainer.Model.Tasks.Select(t => t.Name));
    }

    [Fact]
    public void The_examples_cover_the_required_set_ups()
    {
        var configs = Directory.GetFiles(CliRun.Examples, "*.yaml").Select(f => ConfigLoader.LoadFile(f)).ToList();
        Assert.Contains(configs, c => c.Architecture.Name == "mmoe" && c.Data.Name == "synthetic");
        Assert.Contains(configs, c => c.Data.Name == "text");
        Assert.Contains(configs, c => c.Data.Name == "text" && c.TaskScheduler?.Name == "temperature");
        Assert.Contains(configs, c => c.Strategy.Name == "pcgrad");
        // One example per architecture family: shared trunk, columns, regularised columns, attention, experts, tree, low rank.
        foreach (var arch in new[] { "hard", "cross-stitch", "soft", "mtan", "task-attention", "mmoe", "cgc", "ple", "dselect-k", "hierarchical", "ltb", "low-rank" })
            Assert.Contains(configs, c => c.Architecture.Name == arch);
    }
}
