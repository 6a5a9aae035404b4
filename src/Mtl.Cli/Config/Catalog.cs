// A named family of choices (datasets, trunks, architectures, strategies, optimisers, schedules) with their options types.
namespace Mtl.Cli.Config;

/// <summary>One choice: its name, a one-line summary and its options record (parameterless constructor = defaults).</summary>
internal sealed record CatalogEntry(string Name, string Summary, Type OptionsType);

/// <summary>The choices a config section picks from by <c>name</c>, e.g. the <c>architecture</c> section and the architecture registry.</summary>
/// <param name="Section">The config section, e.g. <c>architecture</c>.</param>
/// <param name="Noun">What one entry is called in messages, e.g. <c>architecture</c>, <c>dataset</c>.</param>
/// <param name="Entries">The entries, sorted by name.</param>
internal sealed record Catalog(string Section, string Noun, IReadOnlyList<CatalogEntry> Entries)
{
    /// <summary>The entry called <paramref name="name"/>, or null.</summary>
    public CatalogEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    /// <summary>The names, comma-separated, for messages.</summary>
    public string Names => string.Join(", ", Entries.Select(e => e.Name));
}
