// The `mtl` command tree (train, eval, predict, list, strategy, report) and an in-process entry point for tests.
using System.CommandLine;
using Mtl.Cli.Commands;
using Mtl.Cli.Output;
using Mtl.MultiTask.Training;

namespace Mtl.Cli;

/// <summary>Builds and runs the <c>mtl</c> command line.</summary>
public static class MtlCli
{
    private const string Description = """
        mtl — multi-task learning for .NET: train, evaluate and compare multi-task models from YAML configs.

        Start with `mtl train` (the built-in default example on the committed sample data), then
        `mtl list` to see the architectures, strategies and datasets a config can name. Guide: docs/cli.md.
        """;

    /// <summary>The root command writing to <paramref name="io"/>; <paramref name="onTrainer"/> sees each train command's trainer (tests).</summary>
    public static RootCommand Build(CliIO io, Action<MultiTaskTrainer>? onTrainer = null)
    {
        var root = new RootCommand(Description)
        {
            TrainCommand.Create(io, onTrainer),
            EvalCommand.Create(io),
            PredictCommand.Create(io),
            ListCommand.Create(io),
            StrategyCommand.Create(io),
            ReportCommand.Create(io),
        };
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command in-process; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, CliIO io, CancellationToken cancellation = default) =>
        Build(io).Parse(args).InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Err, ProcessTerminationTimeout = null }, cancellation);
}
