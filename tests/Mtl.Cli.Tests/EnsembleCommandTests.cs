// `mtl ensemble` over two tiny runs: the per-member and ensemble table, JSON, fitted weights, and clear errors for bad folders.
using System.Text.Json;

namespace Mtl.Cli.Tests;

/// <summary>Two runs of the tiny example (1 and 2 epochs, same seed and data) trained once for the ensemble tests.</summary>
public sealed class TwoTinyRunsFixture
{
    public TwoTinyRunsFixture()
    {
        var output = CliRun.TempDir();
        foreach (var (name, epochs) in new[] { ("first", 1), ("second", 2) })
        {
            var r = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--out", output, "--plain", "--set", $"name={name}", "--set", $"trainer.epochs={epochs}");
            if (r.ExitCode != 0) throw new InvalidOperationException($"training the tiny run '{name}' failed: {r.Err}");
        }
        Runs = Directory.GetDirectories(output).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The two run folders.</summary>
    public string[] Runs { get; }
}

public sealed class EnsembleCommandTests(TwoTinyRunsFixture fixture) : IClassFixture<TwoTinyRunsFixture>
{
    [Fact]
    public void Prints_each_members_metrics_and_the_ensembles()
    {
        var r = CliRun.Mtl(["ensemble", .. fixture.Runs]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("ensemble (average)", r.Out);
        Assert.Contains("0: first-", r.Out);
        Assert.Contains("1: second-", r.Out);
        Assert.Contains("top_left", r.Out);
        Assert.Contains("accuracy", r.Out);
        Assert.Contains("test split", r.Out);
        Assert.DoesNotContain("note:", r.Out);   // same seed and data: the same test split
    }

    [Fact]
    public void Json_gives_members_ensemble_and_the_member_metrics_equal_mtl_eval()
    {
        var r = CliRun.Mtl(["ensemble", .. fixture.Runs, "--combine", "vote", "--data-split", "validation", "--json"]);
        Assert.True(r.ExitCode == 0, r.Err);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("vote", doc.GetProperty("combine").GetString());
        Assert.Equal("validation", doc.GetProperty("split").GetString());
        var members = doc.GetProperty("members");
        Assert.Equal(2, members.GetArrayLength());
        Assert.Equal("best.safetensors", members[0].GetProperty("checkpoint").GetString());
        double ensemble = doc.GetProperty("ensemble").GetProperty("top_left").GetProperty("accuracy").GetDouble();
        Assert.InRange(ensemble, 0, 1);

        var eval = JsonDocument.Parse(CliRun.Mtl("eval", fixture.Runs[1], "--split", "validation", "--checkpoint", "best", "--json").Out).RootElement;
        Assert.Equal(eval.GetProperty("metrics").GetProperty("bottom_right").GetProperty("accuracy").GetDouble(),
            members[1].GetProperty("metrics").GetProperty("bottom_right").GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void Learned_and_sparse_print_their_fitted_weights()
    {
        var learned = CliRun.Mtl(["ensemble", .. fixture.Runs, "--combine", "learned"]);
        Assert.True(learned.ExitCode == 0, learned.Err);
        Assert.Contains("weights top_left: 0: ", learned.Out);
        var sparse = CliRun.Mtl(["ensemble", .. fixture.Runs, "--combine", "sparse", "--lambda", "0.01", "--json"]);
        Assert.True(sparse.ExitCode == 0, sparse.Err);
        var weights = JsonDocument.Parse(sparse.Out).RootElement.GetProperty("weights").GetProperty("bottom_right");
        Assert.Equal(2, weights.GetArrayLength());
        Assert.All(weights.EnumerateArray(), w => Assert.True(w.GetDouble() >= 0));
    }

    [Fact]
    public void A_bad_run_folder_is_a_usage_error_naming_it()
    {
        string missing = Path.Combine(CliRun.TempDir(), "no-such-run");
        var r = CliRun.Mtl("ensemble", fixture.Runs[0], missing);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(missing, r.Err);

        string notRun = CliRun.TempDir();
        var n = CliRun.Mtl("ensemble", notRun, fixture.Runs[0]);
        Assert.Equal(2, n.ExitCode);
        Assert.Contains(notRun, n.Err);
        Assert.Contains("not a run folder", n.Err);
    }
}
