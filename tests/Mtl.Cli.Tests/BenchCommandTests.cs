// `mtl bench`: finds bench/Mtl.Bench in the checkout, passes arguments through, and says clearly when there is none.
using System.Diagnostics;
using Mtl.Cli.Bench;
using Mtl.Cli.Commands;
using Mtl.Cli.Config;

namespace Mtl.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void List_prints_what_the_benchmark_program_lists()
    {
        // mtl bench builds the benchmarks if needed (dotnet run), so afterwards their program can be asked directly.
        var r = CliRun.Mtl("bench", "--list");
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var dll = Path.Combine(CliRun.RepoRoot, "bench", "Mtl.Bench", "bin", "Release", "net10.0", "Mtl.Bench.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--list");
        using var p = Process.Start(start)!;
        string direct = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(direct.Replace("\r\n", "\n"), r.Out.Replace("\r\n", "\n"));
        Assert.Contains("gemm\n", r.Out.Replace("\r\n", "\n"));
    }

    [Fact]
    public void The_project_is_found_from_inside_the_repository_and_refused_outside()
    {
        var inside = Path.Combine(CliRun.RepoRoot, "src", "Mtl.Cli");
        Assert.Equal(Path.Combine(CliRun.RepoRoot, "bench", "Mtl.Bench", "Mtl.Bench.csproj"), BenchProject.Find(inside));
        var outside = CliRun.TempDir();
        var e = Assert.Throws<ConfigException>(() => BenchProject.Find(outside));
        Assert.Equal($"mtl bench runs the benchmarks of bench/Mtl.Bench/Mtl.Bench.csproj from a checkout of the Mtl repository (they are not part of the tool package); none was found above {outside}: run mtl bench inside the repository", e.Message);
    }

    [Fact]
    public void Arguments_pass_through_to_the_benchmark_program()
    {
        Assert.Equal(["--list"], BenchCommand.Arguments("gemm", true, false, true, []));
        Assert.Equal(["--help"], BenchCommand.Arguments(null, false, false, false, []));
        Assert.Equal(["strategy-table", "--data", "mmoe", "--quick", "--json"], BenchCommand.Arguments("strategy-table", true, true, false, ["--data", "mmoe"]));
        var parsed = MtlCli.Build(CliRun.Capture().IO).Parse(["bench", "strategy-table", "--data", "mmoe", "--quick"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["--data", "mmoe"], parsed.UnmatchedTokens);
        Assert.Equal(["run", "-c", "Release", "--no-build", "--project", "p.csproj", "--", "gemm", "--quick"], BenchProject.DotnetArguments("p.csproj", ["gemm", "--quick"], noBuild: true));
    }
}
