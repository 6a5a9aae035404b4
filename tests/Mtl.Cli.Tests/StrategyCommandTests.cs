// `mtl strategy`: a hand-computed PCGrad case, state carried across steps, options from --set, input errors.
namespace Mtl.Cli.Tests;

public class StrategyCommandTests
{
    private static string Gradients(string json) => CliRun.WriteConfig(json, "grads.json");

    [Fact]
    public void Pcgrad_on_two_tasks_matches_the_hand_computation()
    {
        // Step 1: g1 = (1, 0), g2 = (−1, 1) conflict (g1·g2 = −1).
        //   g1' = g1 − (g1·g2/‖g2‖²)·g2 = (1, 0) + ½(−1, 1) = (0.5, 0.5)
        //   g2' = g2 − (g2·g1/‖g1‖²)·g1 = (−1, 1) + (1, 0)  = (0, 1)
        //   combined = (0.5, 1.5) = 2·g1 + 1.5·g2, so w = (2, 1.5).
        // Step 2: g1 = (1, 0), g2 = (0, 2) do not conflict: plain sum, w = (1, 1).
        // With two tasks the random order cannot matter, so the result is exact for any seed.
        var path = Gradients("""{"steps":[{"gradients":[[1,0],[-1,1]],"losses":[0.7,0.4],"epoch":0},{"gradients":[[1,0],[0,2]],"losses":[0.6,0.3],"epoch":0}]}""");
        var r = CliRun.Mtl("strategy", "pcgrad", "--gradients", path, "--set", "seed=9");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("""{"steps":[{"combined":[0.5,1.5],"weights":[2,1.5]},{"combined":[1,2],"weights":[1,1]}]}""", r.Out.TrimEnd());
    }

    [Fact]
    public void Loss_weighting_strategies_report_their_weights_and_take_options()
    {
        var path = Gradients("""{"steps":[{"gradients":[[1,2],[3,4]],"losses":[1,1]}]}""");
        Assert.Equal("""{"steps":[{"combined":[2,3],"weights":[0.5,0.5]}]}""", CliRun.Mtl("strategy", "mean", "--gradients", path).Out.TrimEnd());
        Assert.Equal("""{"steps":[{"combined":[2.5,4],"weights":[1,0.5]}]}""",
            CliRun.Mtl("strategy", "static", "--gradients", path, "--set", "weights=[1,0.5]").Out.TrimEnd());
    }

    [Fact]
    public void Mistakes_are_named()
    {
        var path = Gradients("""{"steps":[{"gradients":[[1,2],[3]],"losses":[1,1]}]}""");
        var ragged = CliRun.Mtl("strategy", "ew", "--gradients", path);
        Assert.Equal(2, ragged.ExitCode);
        Assert.Equal($"error: {path}: steps[0]: GradientMatrix: task gradient 1 has 1 entries but task gradient 0 has 2", ragged.Err.TrimEnd());
        var option = CliRun.Mtl("strategy", "pcgrad", "--gradients", path, "--set", "sed=1");
        Assert.Equal("error: --set sed=1: unknown key 'sed' in 'pcgrad'; allowed: seed", option.Err.TrimEnd());
        var name = CliRun.Mtl("strategy", "pcgrd", "--gradients", path);
        Assert.StartsWith("error: unknown strategy 'pcgrd'; allowed: ", name.Err);
        var missing = CliRun.Mtl("strategy", "ew", "--gradients", path + ".nope");
        Assert.Equal($"error: gradients file not found: {path}.nope", missing.Err.TrimEnd());
    }
}
