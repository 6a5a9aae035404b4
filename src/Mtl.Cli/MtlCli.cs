// The `mtl` command tree (train, eval, predict, list, data, strategy, report, bench, ensemble) and an in-process entry point for tests.
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
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
            DataCommand.Create(io),
            StrategyCommand.Create(io),
            ReportCommand.Create(io),
            BenchCommand.Create(io),
            EnsembleCommand.Create(io),
        };
        ShortSummaries(root);
        return root;
    }

    // `mtl --help` (and plain `mtl`) list each command with the first line of its description; `mtl COMMAND --help`
    // keeps System.CommandLine's full page, examples included.
    private static void ShortSummaries(RootCommand root)
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is not { Action: HelpAction full } option) return;
        var summary = new RootHelp(root, full);
        option.Action = summary;
        root.SetAction(r => summary.Invoke(r));
    }

    private sealed class RootHelp(RootCommand root, HelpAction full) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult result)
        {
            if (result.CommandResult.Command != root) return full.Invoke(result);
            var w = result.InvocationConfiguration.Output;
            w.WriteLine("Description:");
            foreach (var line in (root.Description ?? "").Split('\n')) w.WriteLine(("  " + line).TrimEnd());
            w.WriteLine();
            w.WriteLine("Usage:");
            w.WriteLine("  mtl COMMAND [options]      (mtl COMMAND --help shows a command's options and examples)");
            w.WriteLine();
            w.WriteLine("Commands:");
            var rows = root.Subcommands.Select(c => (Usage: string.Join(" ", new[] { c.Name }.Concat(c.Arguments.Select(a =>
                a.Arity.MinimumNumberOfValues == 0 ? $"[{a.Name}]" : a.Arity.MaximumNumberOfValues > 1 ? $"{a.Name}..." : a.Name))),
                Summary: (c.Description ?? "").Split('\n')[0].TrimEnd())).ToList();
            int width = rows.Max(r => r.Usage.Length);
            foreach (var (usage, text) in rows) w.WriteLine($"  {usage.PadRight(width)}  {text}");
            w.WriteLine();
            w.WriteLine("Options:");
            w.WriteLine("  -?, -h, --help  Show help and usage information");
            w.WriteLine("  --version       Show version information");
            return 0;
        }
    }

    /// <summary>Parses <paramref name="args"/> and runs the command in-process; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, CliIO io, CancellationToken cancellation = default) =>
        Build(io).Parse(args).InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Err, ProcessTerminationTimeout = null }, cancellation);
}
