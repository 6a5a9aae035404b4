// One `mtl train examples/tiny.yaml` run shared by the tests that check the run folder's TensorBoard files and report.
namespace Mtl.Cli.Tests;

/// <summary>Trains the tiny example once (a few seconds) for the test classes that read its run folder.</summary>
public sealed class TinyRunFixture
{
    public TinyRunFixture()
    {
        var output = CliRun.TempDir();
        Result = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--out", output, "--plain");
        Run = Directory.GetDirectories(output).Single();
    }

    /// <summary>What <c>mtl train</c> printed and returned.</summary>
    public CliResult Result { get; }

    /// <summary>The run folder.</summary>
    public string Run { get; }
}
