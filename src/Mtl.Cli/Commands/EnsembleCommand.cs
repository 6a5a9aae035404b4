// `mtl ensemble RUN_DIR... [--combine average|vote|learned|sparse] [--data-split test|validation|train] [--json]`.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mtl.Cli.Config;
using Mtl.Cli.Model;
using Mtl.Cli.Output;
using Mtl.Cli.Runs;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Commands;

/// <summary>The arguments of <c>mtl ensemble</c>.</summary>
public sealed record EnsembleArgs
{
    /// <summary>The run folders (one member each).</summary>
    public required IReadOnlyList<string> Runs { get; init; }

    /// <summary>average, vote, learned or sparse.</summary>
    public string Combine { get; init; } = "average";

    /// <summary>The split evaluated: test, validation or train (of the first run's data).</summary>
    public string Split { get; init; } = "test";

    /// <summary>Which weights of each run: best (default), last or auto.</summary>
    public string Checkpoint { get; init; } = "best";

    /// <summary>The L1 coefficient λ of sparse mixing.</summary>
    public double Lambda { get; init; } = new EnsembleFitOptions().SparseLambda;

    /// <summary>Print one JSON object instead of a table.</summary>
    public bool Json { get; init; }
}

/// <summary>Evaluates an ensemble of trained runs next to each of its members.</summary>
public static class EnsembleCommand
{
    internal const string Help = """
        Evaluate an ensemble of trained runs: each member's metrics and the ensemble's, task by task.

        Loads every run's best checkpoint (checkpoints/best.safetensors; --checkpoint last|auto to change) and
        combines the models' outputs per task: average (mean of probabilities; regression the mean), vote (majority
        class, per-label majority, regression the median), learned (simplex weights fitted on the validation split)
        or sparse (non-negative L1-penalised weights fitted on the validation split, --lambda; useless members get 0).
        The runs must predict the same tasks (names, kinds, sizes) from the same data; the data and split come from the
        first run's config.yaml. See docs/ensembles.md.

        Examples:
          mtl ensemble runs/a-20260101-120000 runs/b-20260101-130000 runs/c-20260101-140000
          mtl ensemble runs/* --combine learned --data-split test --json
        """;

    internal static Command Create(CliIO io)
    {
        var runs = new Argument<string[]>("RUN_DIR") { Description = "run folders written by mtl train (one member each)", Arity = ArgumentArity.OneOrMore };
        var combine = new Option<string>("--combine") { Description = "how to combine the members", DefaultValueFactory = _ => "average" };
        combine.AcceptOnlyFromAmong("average", "vote", "learned", "sparse");
        var split = new Option<string>("--data-split", "--split") { Description = "which split of the first run's data to evaluate", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "validation", "train");
        var checkpoint = new Option<string>("--checkpoint") { Description = "which weights of each run: best, last or auto (those training ended with)", DefaultValueFactory = _ => "best" };
        checkpoint.AcceptOnlyFromAmong("best", "last", "auto");
        var lambda = new Option<double>("--lambda") { Description = "L1 coefficient of --combine sparse", DefaultValueFactory = _ => new EnsembleFitOptions().SparseLambda };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var command = new Command("ensemble", Help) { runs, combine, split, checkpoint, lambda, json };
        command.SetAction(r => Run(new EnsembleArgs
        {
            Runs = r.GetValue(runs) ?? [], Combine = r.GetValue(combine)!, Split = r.GetValue(split)!, Checkpoint = r.GetValue(checkpoint)!,
            Lambda = r.GetValue(lambda), Json = r.GetValue(json),
        }, io));
        return command;
    }

    /// <summary>Runs <c>mtl ensemble</c>; returns the exit code (2 for a missing or unusable run folder).</summary>
    public static int Run(EnsembleArgs args, CliIO io) => CommandGuard.Run(io, () =>
    {
        if (args.Runs.Count == 0) throw new ConfigException(null, "give at least one run folder");
        var how = args.Combine switch
        {
            "average" => EnsembleCombination.Average,
            "vote" => EnsembleCombination.Vote,
            "learned" => EnsembleCombination.Learned,
            "sparse" => EnsembleCombination.Sparse,
            _ => throw new ConfigException(null, $"unknown combination '{args.Combine}'; allowed: average, vote, learned, sparse"),
        };
        var loaded = new List<TrainedRun>();
        try
        {
            foreach (var path in args.Runs) loaded.Add(TrainedRun.Load(path, args.Checkpoint));
            var first = loaded[0];
            var split = SplitOf(first, args.Split);
            var source = first.Data.Source(split, RunBuilder.Loader(first.Config, false), training: false);
            var members = loaded.Select(r => r.Model).ToList();
            ModelEnsemble ensemble;
            try
            {
                var validation = how is EnsembleCombination.Learned or EnsembleCombination.Sparse
                    ? first.Data.Source(SplitOf(first, "validation", $"--combine {args.Combine} fits its weights on the validation split, "),
                        RunBuilder.Loader(first.Config, false), training: false)
                    : null;
                ensemble = validation is null ? new ModelEnsemble(members, how)
                    : ModelEnsemble.Fit(members, how, validation, new EnsembleFitOptions { SparseLambda = args.Lambda });
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(null, $"{e.Message} (members: {string.Join(", ", args.Runs.Select((r, i) => $"{i} = {r}"))})");
            }
            var memberMetrics = members.Select(m => Evaluator.Run(m, source).Metrics).ToList();
            var ensembleMetrics = Evaluator.Run(ensemble, source).Metrics;
            var notes = DataNotes(loaded);
            if (args.Json) WriteJson(io, args, loaded, memberMetrics, ensembleMetrics, ensemble, notes);
            else WriteTable(io, args, loaded, split.Count, memberMetrics, ensembleMetrics, ensemble, notes);
            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var r in loaded) r.Dispose();
        }
    });

    private static Data.SplitData SplitOf(TrainedRun run, string split, string why = "")
    {
        try { return run.Data.Split(split); }
        catch (ArgumentException e) { throw new ConfigException(null, $"{why}{run.Folder.Path}: {e.Message}"); }
    }

    // Runs whose data section or seed differ hold other splits: say so (members may have trained on evaluated samples).
    private static List<string> DataNotes(List<TrainedRun> runs)
    {
        var notes = new List<string>();
        var first = runs[0];
        string Data(TrainedRun r) => ConfigWriter.ToYaml(r.Config with { Name = "-", Baselines = false }).Split('\n')
            .SkipWhile(l => !l.StartsWith("data:", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("tasks:", StringComparison.Ordinal)).Aggregate("", (a, l) => a + l);
        foreach (var r in runs.Skip(1))
            if (r.Config.Seed != first.Config.Seed || Data(r) != Data(first))
                notes.Add($"{r.Folder.Path} was trained with another seed or data section than {first.Folder.Path}, whose split is evaluated: it may have trained on some of these samples");
        return notes;
    }

    private static string Name(TrainedRun r) => Path.GetFileName(Path.TrimEndingDirectorySeparator(r.Folder.Path));

    private static void WriteTable(CliIO io, EnsembleArgs args, List<TrainedRun> runs, int samples, List<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ensemble, ModelEnsemble model, List<string> notes)
    {
        var headers = new List<string> { "task", "metric" };
        headers.AddRange(runs.Select((r, i) => $"{i}: {Name(r)}"));
        headers.Add($"ensemble ({args.Combine})");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (task, metrics) in ensemble)
            foreach (var (metric, value) in metrics)
            {
                var row = new List<string> { task, metric };
                row.AddRange(members.Select(m => Tables.Num(m[task][metric])));
                row.Add(Tables.Num(value));
                rows.Add(row);
            }
        Tables.Write(io, headers, rows, $"{runs.Count} member(s), {args.Split} split of {runs[0].Folder.Path} ({samples} samples)");
        if (model.Combination is EnsembleCombination.Learned or EnsembleCombination.Sparse)
            foreach (var (task, w) in model.Weights)
                io.Out.WriteLine($"weights {task}: {string.Join(", ", w.Select((v, i) => $"{i}: {v.ToString("G4", CultureInfo.InvariantCulture)}"))}");
        foreach (var n in notes) io.Out.WriteLine($"note: {n}");
    }

    private static void WriteJson(CliIO io, EnsembleArgs args, List<TrainedRun> runs, List<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> members,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ensemble, ModelEnsemble model, List<string> notes)
    {
        static Dictionary<string, Dictionary<string, double?>> Clean(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> m) =>
            m.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(x => x.Key, x => double.IsFinite(x.Value) ? (double?)x.Value : null));
        io.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["combine"] = args.Combine,
            ["split"] = args.Split,
            ["members"] = runs.Select((r, i) => new Dictionary<string, object>
            {
                ["run"] = r.Folder.Path,
                ["checkpoint"] = Path.GetFileName(r.CheckpointPath),
                ["metrics"] = Clean(members[i]),
            }).ToList(),
            ["ensemble"] = Clean(ensemble),
            ["weights"] = model.Weights,
            ["notes"] = notes,
        }));
    }
}
