// `mtl data list|show|preview`: the datasets a config can name, what one holds, and a look at a few samples.
using System.CommandLine;
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Cli.Output;
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Commands;

/// <summary>Inspects, builds and previews the datasets of <c>data.name</c>.</summary>
public static class DataCommand
{
    internal const string Help = """
        Inspect, build and preview the datasets a config can name: data list | data show NAME | data preview NAME.

        `list` shows every dataset with its options; `show` builds one exactly as `mtl train` would (same options, same
        seed, same splits) and prints its input, tasks, split sizes and label distribution per task; `preview` draws a
        grid of labelled samples (image data, to .png or .svg) or prints the first samples (text and feature data).

        Examples:
          mtl data list
          mtl data show multifashion
          mtl data show multifashion --set source=full --set train_count=10000
          mtl data show text --set max_length=64
          mtl data preview multifashion --out multifashion.png
          mtl data preview multimnist --split test --count 8 --out digits.svg
          mtl data preview text --count 3
        """;

    internal static Command Create(CliIO io)
    {
        var list = new Command("list", "List the datasets with their options and defaults (the same as `mtl list datasets`).\n\nExamples:\n  mtl data list");
        list.SetAction(_ => ListCommand.Run("datasets", io));

        var show = new Command("show", "Build a dataset as `mtl train` would and print its input, tasks, split sizes and label distribution per task.\n\n" +
            "Examples:\n  mtl data show multifashion\n  mtl data show multifashion --set source=full --seed 3\n  mtl data show text --set max_length=64");
        var (showName, showSet, showSeed) = Common(show);
        show.SetAction(r => CommandGuard.Run(io, () =>
        {
            using var data = Build(r.GetValue(showName)!, r.GetValue(showSet) ?? [], r.GetValue(showSeed));
            DatasetShow.Write(io, r.GetValue(showName)!, data);
            return ExitCodes.Ok;
        }));

        var preview = new Command("preview", "Draw labelled samples of an image dataset (--out FILE.png|.svg), or print the first samples of text/feature data.\n\n" +
            "Examples:\n  mtl data preview multifashion --out multifashion.png\n  mtl data preview multimnist --split test --count 8 --out digits.svg\n  mtl data preview text --count 3");
        var (previewName, previewSet, previewSeed) = Common(preview);
        var output = new Option<string?>("--out", "-o") { Description = "the picture to write, .png or .svg (image data)", HelpName = "FILE" };
        var split = new Option<string>("--split") { Description = "which split to show", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "validation", "test");
        var count = new Option<int>("--count", "-n") { Description = "samples to show (per task for multi-input data)", DefaultValueFactory = _ => 16 };
        preview.Options.Add(output);
        preview.Options.Add(split);
        preview.Options.Add(count);
        preview.SetAction(r => CommandGuard.Run(io, () =>
        {
            int n = r.GetValue(count);
            if (n < 1) throw new ConfigException(null, $"--count must be at least 1, got {n}");
            using var data = Build(r.GetValue(previewName)!, r.GetValue(previewSet) ?? [], r.GetValue(previewSeed));
            DatasetPreview.Run(io, r.GetValue(previewName)!, data, r.GetValue(split)!, n, r.GetValue(output));
            return ExitCodes.Ok;
        }));

        return new Command("data", Help) { list, show, preview };
    }

    // The arguments show and preview share: the dataset, its options and the seed of its splits.
    private static (Argument<string> Name, Option<string[]> Set, Option<ulong> Seed) Common(Command command)
    {
        var name = new Argument<string>("NAME") { Description = "a dataset (mtl data list)" };
        var set = new Option<string[]>("--set") { Description = "set a dataset option, e.g. --set train_count=500 (repeatable; data. prefix optional)", HelpName = "KEY=VALUE" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the pairing and splits (the config's seed)", DefaultValueFactory = _ => 0 };
        command.Arguments.Add(name);
        command.Options.Add(set);
        command.Options.Add(seed);
        return (name, set, seed);
    }

    /// <summary>Builds dataset <paramref name="name"/> with options <paramref name="set"/> as <c>mtl train</c> would with that seed.</summary>
    internal static DataBundle Build(string name, IReadOnlyList<string> set, ulong seed)
    {
        var entry = DatasetCatalog.All.FirstOrDefault(e => e.Name == name)
            ?? throw new ConfigException(null, $"unknown dataset '{name}'; allowed: {DatasetCatalog.Catalog.Names}");
        var source = new ConfigSource("--set");
        var map = new YamlMappingNode();
        Overrides.Apply(map, set.Select(s => s.StartsWith("data.", StringComparison.Ordinal) ? s["data.".Length..] : s), source);
        var options = new OptionsBinder(source).Bind(entry.OptionsType, map, "data");
        try { return entry.Build(options, seed); }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or Mtl.Data.DataFileException or NotSupportedException)
        {
            throw new ConfigException(null, $"data '{name}': {e.Message}", e);
        }
    }
}
