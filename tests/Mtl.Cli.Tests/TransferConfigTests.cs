// The config's `transfer` section: trained weights loaded through a name map, frozen parameters kept, mistakes named.
using Mtl.NN.Serialization;

namespace Mtl.Cli.Tests;

public class TransferConfigTests
{
    private static readonly string Pretrained = Path.Combine(CliRun.RepoRoot, "data", "pretrained", "multifashion-lenet-hard.safetensors");

    // The tiny example with a transfer section (paths absolute: the config lives in a temp folder).
    private static string TinyWith(string transfer) => CliRun.WriteConfig($$"""
        name: tiny-transfer
        seed: 1
        data:
          name: multifashion
          train_count: 200
          test_count: 100
        architecture: hard
        optimizer:
          name: sgd
          lr: 0.05
          momentum: 0.9
        transfer:
        {{transfer}}
        trainer:
          epochs: 1
          batch_size: 32
        """);

    [Fact]
    public void A_frozen_transferred_trunk_keeps_the_loaded_values_while_the_new_heads_train()
    {
        var config = TinyWith($"""
              from: {Pretrained}
              only: ["encoder.*"]
              freeze: ["encoder.*"]
            """);
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", config, "--plain", "--out", output);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        Assert.Contains("transfer: 6 tensor(s) loaded", r.Out);
        var run = Directory.GetDirectories(output).Single();
        var text = File.ReadAllText(Path.Combine(run, "transfer.txt"));
        Assert.Contains("6 loaded (0 converted), 0 mis-shaped, 0 missing, 4 excluded", text);
        Assert.Contains("frozen (6): encoder.0.0.weight", text);

        var source = Checkpoint.Load(Pretrained).Model;
        var trained = Checkpoint.Load(Path.Combine(run, "checkpoints", "last.safetensors")).Model;
        foreach (var name in source.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)))
            Assert.Equal(source[name].ToArray<float>(), trained[name].ToArray<float>());
        Assert.NotEqual(source["heads.top_left.weight"].ToArray<float>(), trained["heads.top_left.weight"].ToArray<float>());
        Assert.Contains(Pretrained, File.ReadAllText(Path.Combine(run, "config.yaml")));   // the resolved, absolute path
    }

    [Fact]
    public void A_missing_weights_file_is_named_at_the_transfer_section()
    {
        var missing = Path.Combine(CliRun.TempDir(), "nope.safetensors");
        var config = TinyWith($"  from: {missing}");
        var r = CliRun.Mtl("train", config, "--plain", "--out", CliRun.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {config}:13:3: 'transfer.from': weights file not found: {missing}", r.Err.TrimEnd());
    }

    [Fact]
    public void A_prefix_that_is_not_source_equals_target_is_refused()
    {
        var config = TinyWith($"""
              from: {Pretrained}
              prefixes: ["backbone."]
            """);
        var r = CliRun.Mtl("train", config, "--plain", "--out", CliRun.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {config}:13:3: 'transfer.prefixes' entries are SOURCE=TARGET, got 'backbone.'", r.Err.TrimEnd());
    }

    [Fact]
    public void Strict_loading_lists_what_does_not_fit_and_a_freeze_pattern_must_match()
    {
        var strict = TinyWith($"""
              from: {Pretrained}
              renames: ["heads.top_left.weight=heads.bottom_right.bias"]
            """);
        var r = CliRun.Mtl("train", strict, "--plain", "--out", CliRun.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {strict}:13:3: 'transfer' from {Pretrained}: ", r.Err);
        Assert.Contains("heads.bottom_right.bias", r.Err);

        var freeze = TinyWith("  freeze: [\"trunk.*\"]");
        var f = CliRun.Mtl("train", freeze, "--plain", "--out", CliRun.TempDir());
        Assert.Equal(2, f.ExitCode);
        Assert.StartsWith($"error: {freeze}:13:3: 'transfer.freeze': ", f.Err);
        Assert.Contains("trunk.*", f.Err);
    }
}
