// Remembers where each YAML node came from (the file or a --set override) so errors can name the place.
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Config;

/// <summary>The origin of a parsed configuration: its file name for nodes read from it, the override text for nodes added by <c>--set</c>.</summary>
internal sealed class ConfigSource(string path)
{
    private readonly Dictionary<YamlNode, string> _overrides = new(ReferenceEqualityComparer.Instance);

    /// <summary>The file as the user named it (or <c>&lt;built-in default&gt;</c>).</summary>
    public string Path { get; } = path;

    /// <summary>Marks <paramref name="node"/> and everything under it as coming from <c>--set <paramref name="text"/></c>.</summary>
    public void MarkOverride(YamlNode node, string text)
    {
        foreach (var n in node.AllNodes) _overrides[n] = text;
    }

    /// <summary><c>FILE:LINE:COLUMN</c> of a node, or <c>--set KEY=VALUE</c> for an override's.</summary>
    public string Where(YamlNode node) =>
        _overrides.TryGetValue(node, out var text) ? $"--set {text}" : $"{Path}:{node.Start.Line}:{node.Start.Column}";

    /// <summary>A config error at <paramref name="node"/>.</summary>
    public ConfigException Error(YamlNode node, string problem) => new(Where(node), problem);
}
