// `mtl bench [NAME] [--quick] [--json] [--list]`: runs the repository's benchmarks (bench/Mtl.Bench) through `dotnet run`.
using System.CommandLine;
using Mtl.Cli.Bench;
using Mtl.Cli.Output;

namespace Mtl.Cli.Commands;

/// <summary>Runs the benchmarks of bench/Mtl.Bench from a checkout of the repository.</summary>
public static class BenchCommand
{
    internal const string Help = """
        Run the benchmarks of bench/Mtl.Bench (kernels, loaders, training speed, strategy tables).

        The benchmarks are a project of the repository, not part of the tool package: mtl bench finds bench/Mtl.Bench
        above the working directory and runs it with `dotnet run -c Release`, passing the arguments through (options
        mtl does not know go to the benchmark as they are). Without NAME it prints the benchmarks and helper tools.

        Examples:
          mtl bench --list
          mtl bench gemm --quick
          mtl bench strategies --quick --json
          mtl bench strategy-table --data mmoe --json
        """;

    internal static Command Create(CliIO io)
    {
        var name = new Argument<string?>("NAME") { Description = "the benchmark (mtl bench --list); none = list them with descriptions", Arity = ArgumentArity.ZeroOrOne };
        var quick = new Option<bool>("--quick") { Description = "small sizes (seconds; what CI runs)" };
        var json = new Option<bool>("--json") { Description = "end with one JSON line of the results" };
        var list = new Option<bool>("--list") { Description = "print the benchmark names, one per line" };
        var noBuild = new Option<bool>("--no-build") { Description = "run the benchmarks as last built (dotnet run --no-build)" };
        var command = new Command("bench", Help) { name, quick, json, list, noBuild };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(r => CommandGuard.Run(io, () =>
        {
            var args = Arguments(r.GetValue(name), r.GetValue(quick), r.GetValue(json), r.GetValue(list), r.UnmatchedTokens);
            return BenchProject.Run(BenchProject.Find(), args, r.GetValue(noBuild), io.Out, io.Err);
        }));
        return command;
    }

    /// <summary>The benchmark program's arguments for these options (<c>--list</c>, <c>--help</c>, or NAME and its options).</summary>
    internal static IReadOnlyList<string> Arguments(string? name, bool quick, bool json, bool list, IReadOnlyList<string> rest)
    {
        if (list) return ["--list"];
        if (name is null) return ["--help"];
        return [name, .. rest, .. (quick ? new[] { "--quick" } : []), .. (json ? new[] { "--json" } : [])];
    }
}
