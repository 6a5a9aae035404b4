// Binds a YAML mapping to an options record by reflection: snake_case keys set PascalCase init properties.
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Config;

/// <summary>
/// Sets the properties of a fresh options instance (holding its defaults) from the keys of a YAML mapping. An unknown
/// key is an error naming the section and the allowed keys; a wrong value an error naming the key path and the expected
/// type — both at the key's or value's place in the file (or the <c>--set</c> override).
/// </summary>
internal sealed class OptionsBinder(ConfigSource source)
{
    private readonly ValueConverter _values = new(source);

    /// <summary>
    /// A new <paramref name="type"/> with the keys of <paramref name="map"/> applied; <paramref name="ignore"/> names keys
    /// handled by the caller (e.g. <c>name</c>), which are listed first among the allowed keys.
    /// </summary>
    public object Bind(Type type, YamlMappingNode map, string section, params string[] ignore)
    {
        var instance = OptionsSchema.Defaults(type);
        var fields = OptionsSchema.Fields(type);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            string key = KeyOf(keyNode);
            if (ignore.Contains(key)) continue;
            var field = fields.FirstOrDefault(f => f.Key == key)
                ?? throw source.Error(keyNode, $"unknown key '{key}' in '{section}'; allowed: {Allowed(fields.Select(f => f.Key), ignore)}");
            object? value;
            try { value = _values.Convert(valueNode, field.Type, field.Nullable, $"{section}.{key}"); }
            catch (ConfigException) { throw; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Reflection.TargetInvocationException)
            {
                throw source.Error(valueNode, $"'{section}.{key}': {(e.InnerException ?? e).Message}");
            }
            field.Property.SetValue(instance, value);
        }
        return instance;
    }

    /// <summary>The text of a mapping key (keys must be plain scalars).</summary>
    public string KeyOf(YamlNode keyNode) => keyNode is YamlScalarNode { Value: { } k } ? k
        : throw source.Error(keyNode, $"keys must be plain names, got {ValueConverter.Show(keyNode)}");

    /// <summary>"a, b, c", or "(none)" when there are no keys.</summary>
    public static string Allowed(IEnumerable<string> keys, IEnumerable<string>? first = null)
    {
        var all = (first ?? []).Concat(keys).ToList();
        return all.Count == 0 ? "(none)" : string.Join(", ", all);
    }
}
