// Help text: the root page lists every command with a one-line summary; each command's page has examples.
namespace Mtl.Cli.Tests;

public class HelpTests
{
    private static readonly string[] Commands = ["train", "eval", "predict", "list", "strategy", "report", "ensemble"];

    [Fact]
    public void Root_help_lists_every_command_with_its_summary()
    {
        var r = CliRun.Mtl("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in Commands) Assert.Matches($@"\n  {c}\b[^\n]*  [A-Z][^\n]+\.\n", r.Out);
        Assert.Equal(r.Out, CliRun.Mtl().Out);   // plain `mtl` shows the same page
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("list")]
    [InlineData("strategy")]
    [InlineData("report")]
    [InlineData("ensemble")]
    public void Every_command_has_a_description_and_examples(string command)
    {
        var r = CliRun.Mtl(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Description:\n", r.Out.Replace("\r\n", "\n"));
        Assert.Contains("Examples:\n    mtl " + command, r.Out.Replace("\r\n", "\n"));
        Assert.Contains("Usage:", r.Out);
    }
}
