// Applies `--set key.path=value` overrides to the parsed YAML tree before it is validated like the file itself.
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Config;

/// <summary>
/// <c>--set optimizer.lr=0.01</c>, <c>--set architecture.name=mmoe</c>, <c>--set tasks.top_left.head=[64]</c>: the value
/// is read as YAML (so lists and null work) and put at the dotted path, creating mappings as needed. The new nodes are
/// marked as coming from the override, so a mistake in them is reported as <c>--set KEY=VALUE: …</c>.
/// </summary>
internal static class Overrides
{
    /// <summary>
    /// Applies every override, in order (a later one wins). <paramref name="choiceSections"/> are the key paths (<c>strategy</c>, <c>data.scheduler</c>) whose
    /// scalar shorthand (<c>strategy: pcgrad</c>) an override may extend with options.
    /// </summary>
    public static void Apply(YamlMappingNode root, IEnumerable<string> overrides, ConfigSource source, IReadOnlyCollection<string>? choiceSections = null)
    {
        foreach (var text in overrides) Apply(root, text, source, choiceSections ?? []);
    }

    private static void Apply(YamlMappingNode root, string text, ConfigSource source, IReadOnlyCollection<string> choiceSections)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new ConfigException($"--set {text}", "expected KEY.PATH=VALUE, e.g. --set optimizer.lr=0.01");
        var path = text[..eq].Split('.');
        if (path.Any(string.IsNullOrWhiteSpace)) throw new ConfigException($"--set {text}", $"'{text[..eq]}' is not a key path (names separated by dots)");
        var value = ParseValue(text[(eq + 1)..], text);
        source.MarkOverride(value, text);

        var map = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!map.Children.TryGetValue(key, out var child) || ValueConverter.IsNull(child))
            {
                var created = new YamlMappingNode();
                source.MarkOverride(key, text);
                source.MarkOverride(created, text);
                map.Children[key] = created;
                map = created;
            }
            else if (child is YamlMappingNode m) map = m;
            else if (child is YamlScalarNode && choiceSections.Contains(string.Join('.', path[..(i + 1)])))
            {
                // `strategy: pcgrad` is short for `strategy: {name: pcgrad}`; an override can then add options to it.
                var expanded = new YamlMappingNode { { new YamlScalarNode("name"), child } };
                source.MarkOverride(expanded, text);
                map.Children[key] = expanded;
                map = expanded;
            }
            else
                throw new ConfigException($"--set {text}", $"'{string.Join('.', path[..(i + 1)])}' holds {ValueConverter.Show(child)}, not a mapping, so it has no key '{path[i + 1]}'");
        }
        var leaf = new YamlScalarNode(path[^1]);
        source.MarkOverride(leaf, text);
        map.Children.Remove(leaf);
        map.Children.Add(leaf, value);
    }

    private static YamlNode ParseValue(string value, string text)
    {
        if (value.Length == 0) return new YamlScalarNode("") { Style = ScalarStyle.Plain };
        var stream = new YamlStream();
        try { stream.Load(new StringReader(value)); }
        catch (YamlException e) { throw new ConfigException($"--set {text}", $"the value is not valid YAML: {ConfigLoader.YamlMessage(e)}"); }
        return stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
    }
}
