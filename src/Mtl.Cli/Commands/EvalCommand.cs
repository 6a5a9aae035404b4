// `mtl eval RUN_DIR [--split test|validation|train] [--checkpoint auto|best|last] [--json]`.
using System.CommandLine;
using System.Text.Json;
using Mtl.Cli.Model;
using Mtl.Cli.Output;
using Mtl.Cli.Runs;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Commands;

/// <summary>The arguments of <c>mtl eval</c>.</summary>
public sealed record EvalArgs
{
    /// <summary>The run folder.</summary>
    public required string Run { get; init; }

    /// <summary>The split: test, validation or train.</summary>
    public string Split { get; init; } = "test";

    /// <summary>auto (the weights training ended with: best when restored, else last), best or last.</summary>
    public string Checkpoint { get; init; } = "auto";

    /// <summary>Print one JSON object instead of a table.</summary>
    public bool Json { get; init; }
}

/// <summary>Evaluates a run's saved model on a split of its data.</summary>
public static class EvalCommand
{
    internal const string Help = """
        Evaluate a run's saved model on a split of its data.

        Loads the weights training ended with (checkpoints/best.safetensors when the run restored its best epoch, else
        last.safetensors; or --checkpoint) and prints every task's metrics. The data and model are rebuilt from the
        run's config.yaml, so with the defaults the test metrics equal report.json's.

        Examples:
          mtl eval runs/default-20260101-120000
          mtl eval runs/default-20260101-120000 --split validation --checkpoint last --json
        """;

    internal static Command Create(CliIO io)
    {
        var run = new Argument<string>("RUN_DIR") { Description = "a run folder written by mtl train" };
        var split = new Option<string>("--split", "--data") { Description = "which split to evaluate", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "validation", "train");
        var checkpoint = new Option<string>("--checkpoint") { Description = "which weights: auto (those training ended with: best when restored, else last), best or last", DefaultValueFactory = _ => "auto" };
        checkpoint.AcceptOnlyFromAmong("auto", "best", "last");
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var command = new Command("eval", Help) { run, split, checkpoint, json };
        command.SetAction(r => Run(new EvalArgs { Run = r.GetValue(run)!, Split = r.GetValue(split)!, Checkpoint = r.GetValue(checkpoint)!, Json = r.GetValue(json) }, io));
        return command;
    }

    /// <summary>Runs <c>mtl eval</c>; returns the exit code.</summary>
    public static int Run(EvalArgs args, CliIO io) => CommandGuard.Run(io, () =>
    {
        using var run = TrainedRun.Load(args.Run, args.Checkpoint);
        SplitCheck(run, args.Split);
        var source = run.Data.Source(run.Data.Split(args.Split), RunBuilder.Loader(run.Config, false), training: false);
        var result = Evaluator.Run(run.Model, source);
        if (args.Json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["run"] = run.Folder.Path,
                ["checkpoint"] = Path.GetFileName(run.CheckpointPath),
                ["split"] = args.Split,
                ["metrics"] = result.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(m => m.Key, m => double.IsFinite(m.Value) ? (double?)m.Value : null)),
            }));
            return ExitCodes.Ok;
        }
        var rows = result.Metrics.SelectMany(t => t.Value.Select(m => (IReadOnlyList<string>)[t.Key, m.Key, Tables.Num(m.Value)])).ToList();
        Tables.Write(io, ["task", "metric", args.Split], rows, $"{run.Folder.Path} ({Path.GetFileName(run.CheckpointPath)}, {run.Data.Split(args.Split).Count} samples)");
        return ExitCodes.Ok;
    });

    private static void SplitCheck(TrainedRun run, string split)
    {
        try { run.Data.Split(split); }
        catch (ArgumentException e) { throw new Config.ConfigException(null, e.Message); }
    }
}
