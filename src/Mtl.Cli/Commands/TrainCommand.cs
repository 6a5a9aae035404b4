// `mtl train [CONFIG] [--set k=v]... [--resume RUN] [--baselines] [--quiet] [--plain] [--out DIR]`.
using System.CommandLine;
using Mtl.Cli.Config;
using Mtl.Cli.Output;
using Mtl.Cli.Progress;
using Mtl.Cli.Runs;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Commands;

/// <summary>The arguments of <c>mtl train</c>.</summary>
public sealed record TrainArgs
{
    /// <summary>The YAML config (null = the built-in default example).</summary>
    public string? Config { get; init; }

    /// <summary><c>KEY.PATH=VALUE</c> overrides, applied in order.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];

    /// <summary>A run folder to continue from its last checkpoint, with its own config.yaml.</summary>
    public string? Resume { get; init; }

    /// <summary>Also train one single-task model per task and report Δm.</summary>
    public bool Baselines { get; init; }

    /// <summary>Print only the final summary.</summary>
    public bool Quiet { get; init; }

    /// <summary>Plain line-per-epoch output (no ANSI), as when output is not a terminal.</summary>
    public bool Plain { get; init; }

    /// <summary>Parent folder of new run folders.</summary>
    public string Out { get; init; } = "runs";

    /// <summary>Validate the config and build data and model, print the resolved config, train nothing.</summary>
    public bool DryRun { get; init; }
}

/// <summary>Trains a multi-task model from a config and writes a run folder.</summary>
public static class TrainCommand
{
    internal const string Help = """
        Train a multi-task model from a YAML config (default: the built-in example) and write a run folder.

        The run folder (runs/NAME-yyyyMMdd-HHmmss/) holds config.yaml (resolved), metrics.jsonl, metrics.csv,
        tensorboard/ (view with: tensorboard --logdir runs), checkpoints/, report.json and report.html.
        Ctrl-C writes checkpoints/last.safetensors and exits with code 130; --resume continues the run.

        Examples:
          mtl train                                             # the built-in default (MultiFashion, hard sharing)
          mtl train examples/mmoe-synthetic.yaml --set trainer.epochs=5 --set optimizer.lr=0.01
          mtl train examples/pcgrad.yaml --baselines --plain
          mtl train examples/mtan.yaml --dry-run                # check the config, print it resolved
          mtl train --resume runs/default-20260101-120000
        """;

    /// <summary>The <c>train</c> command.</summary>
    internal static Command Create(CliIO io, Action<MultiTaskTrainer>? onTrainer)
    {
        var config = new Argument<string?>("CONFIG") { Description = "YAML run config (default: the built-in default example, examples/default.yaml)", Arity = ArgumentArity.ZeroOrOne };
        var set = new Option<string[]>("--set") { Description = "override a config value, e.g. --set optimizer.lr=0.01 (repeatable)", HelpName = "KEY.PATH=VALUE", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<string?>("--resume") { Description = "continue RUN_DIR from its checkpoints/last.safetensors with its own config.yaml", HelpName = "RUN_DIR" };
        var baselines = new Option<bool>("--baselines") { Description = "also train one single-task model per task and report Δm" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the final summary" };
        var plain = new Option<bool>("--plain") { Description = "plain line-per-epoch output without ANSI codes (automatic when output is not a terminal)" };
        var output = new Option<string>("--out") { Description = "folder that receives the run folder", HelpName = "DIR", DefaultValueFactory = _ => "runs" };
        var dryRun = new Option<bool>("--dry-run") { Description = "validate the config and build data and model, print the resolved config, train nothing" };
        var command = new Command("train", Help) { config, set, resume, baselines, quiet, plain, output, dryRun };
        command.SetAction((result, token) => Task.FromResult(Run(new TrainArgs
        {
            Config = result.GetValue(config),
            Set = result.GetValue(set) ?? [],
            Resume = result.GetValue(resume),
            Baselines = result.GetValue(baselines),
            Quiet = result.GetValue(quiet),
            Plain = result.GetValue(plain),
            Out = result.GetValue(output) ?? "runs",
            DryRun = result.GetValue(dryRun),
        }, io, token, onTrainer)));
        return command;
    }

    /// <summary>
    /// Runs <c>mtl train</c>; returns the exit code (0, 1 failure, 2 config error, 130 interrupted).
    /// <paramref name="onTrainer"/> sees the multi-task trainer before it trains (tests attach to its events).
    /// </summary>
    public static int Run(TrainArgs args, CliIO io, CancellationToken cancellation = default, Action<MultiTaskTrainer>? onTrainer = null) => CommandGuard.Run(io, () =>
    {
        bool resume = args.Resume is not null;
        RunConfig config;
        RunFolder folder;
        if (resume)
        {
            if (args.Config is not null) throw new ConfigException(null, "--resume continues a run with its own config.yaml; give either CONFIG or --resume RUN_DIR");
            if (args.Set.Count > 0) throw new ConfigException(null, "--set cannot change a run being resumed (its config.yaml is fixed); start a new run instead");
            folder = RunFolder.Open(args.Resume!);
            config = folder.LoadConfig();
        }
        else
        {
            config = args.Config is null ? ConfigLoader.LoadDefault(args.Set) : ConfigLoader.LoadFile(args.Config, args.Set);
            folder = RunFolder.Plan(args.Out, config.Name, DateTime.Now);
        }
        if (args.Baselines) config = config with { Baselines = true };

        using var session = TrainSession.Prepare(config, folder);
        if (args.DryRun)
        {
            io.Out.Write(ConfigWriter.ToYaml(config));
            io.Out.WriteLine($"# config OK: {session.Trainer.Model.GetType().Name} with {session.Trainer.Model.ParameterCount(trainableOnly: true):N0} parameters; nothing trained");
            return ExitCodes.Ok;
        }
        if (!resume) folder.Create();
        folder.SaveConfig(config);
        onTrainer?.Invoke(session.Trainer);
        var console = args.Plain ? null : io.Console;
        ITrainingView view = args.Quiet ? new PlainView(io.Out, quiet: true)
            : console is not null ? new LiveView(console, config.Tasks.Keys.ToList())
            : new PlainView(io.Out, quiet: false);
        view.Line($"run folder: {folder.Path}");
        var outcome = view.Run(() => session.Execute(resume, view, cancellation));
        if (outcome.Interrupted)
        {
            io.Out.WriteLine($"interrupted at step {outcome.Step} (epoch {outcome.Epoch} of {config.Trainer.Epochs} done); checkpoint: {folder.LastCheckpoint}");
            io.Out.WriteLine($"resume with: mtl train --resume {folder.Path}");
            return ExitCodes.Interrupted;
        }
        RunSummary.Write(args.Plain ? io.Plain() : io, outcome.Report!, outcome.Fit, folder.Path);
        return ExitCodes.Ok;
    });
}
