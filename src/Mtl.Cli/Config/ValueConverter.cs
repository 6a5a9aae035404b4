// Converts YAML nodes to the typed values of options properties (numbers, flags, enums, lists, tuples, maps, records).
using System.Globalization;
using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Config;

/// <summary>
/// Typed reading of YAML values with errors naming the key path and the place: numbers are invariant-culture, flags
/// are <c>true</c>/<c>false</c>, enums accept their snake_case (or any-case) names, lists are YAML sequences, tuples
/// sequences of fixed length, maps YAML mappings, and any other class an options record bound key by key.
/// </summary>
internal sealed class ValueConverter(ConfigSource source)
{
    /// <summary>True for a plain <c>null</c>, <c>~</c> or empty scalar.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>Reads <paramref name="node"/> as a <paramref name="type"/> for the key <paramref name="path"/>.</summary>
    public object? Convert(YamlNode node, Type type, bool nullable, string path)
    {
        if (IsNull(node))
        {
            if (nullable) return null;
            throw source.Error(node, $"'{path}' must be {Describe(type)}, got null");
        }
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        if (inner == typeof(string)) return Scalar(node, inner, path);
        if (inner == typeof(bool))
        {
            var s = Scalar(node, inner, path);
            return s switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => throw source.Error(node, $"'{path}' must be true or false, got '{s}'"),
            };
        }
        if (inner == typeof(int) || inner == typeof(long) || inner == typeof(ulong) || inner == typeof(uint))
        {
            var s = Scalar(node, inner, path);
            if (inner == typeof(ulong) || inner == typeof(uint))
            {
                if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u) && (inner == typeof(ulong) || u <= uint.MaxValue))
                    return inner == typeof(ulong) ? u : (object)(uint)u;
            }
            else if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && (inner == typeof(long) || l is >= int.MinValue and <= int.MaxValue))
                return inner == typeof(long) ? l : (object)(int)l;
            throw source.Error(node, $"'{path}' must be {Describe(inner)}, got '{s}'");
        }
        if (inner == typeof(double) || inner == typeof(float))
        {
            var s = Scalar(node, inner, path);
            double? d = s switch
            {
                ".inf" or ".Inf" or "+.inf" => double.PositiveInfinity,
                "-.inf" or "-.Inf" => double.NegativeInfinity,
                ".nan" or ".NaN" => double.NaN,
                _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
            };
            if (d is null) throw source.Error(node, $"'{path}' must be a number, got '{s}'");
            return inner == typeof(float) ? (float)d.Value : d.Value;
        }
        if (inner.IsEnum)
        {
            var s = Scalar(node, inner, path);
            string wanted = Normalize(s);
            foreach (var name in Enum.GetNames(inner))
                if (Normalize(name) == wanted) return Enum.Parse(inner, name);
            throw source.Error(node, $"'{path}' must be one of {string.Join(", ", Enum.GetNames(inner).Select(OptionsSchema.SnakeCase))}; got '{s}'");
        }
        if (ElementType(inner) is { } element)
        {
            if (node is not YamlSequenceNode seq) throw source.Error(node, $"'{path}' must be {Describe(inner)} such as [1, 2], got {Show(node)}");
            var items = seq.Children.Select((c, i) => Convert(c, element, Nullable.GetUnderlyingType(element) is not null, $"{path}[{i}]")).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            for (int i = 0; i < items.Length; i++) array.SetValue(items[i], i);
            return inner.IsArray || inner.IsAssignableFrom(array.GetType()) ? array : Activator.CreateInstance(inner, array);
        }
        if (TupleTypes(inner) is { } parts)
        {
            if (node is not YamlSequenceNode seq || seq.Children.Count != parts.Length)
                throw source.Error(node, $"'{path}' must be {Describe(inner)}, got {Show(node)}");
            var values = seq.Children.Select((c, i) => Convert(c, parts[i], false, $"{path}[{i}]")).ToArray();
            return Activator.CreateInstance(inner, values);
        }
        if (DictionaryTypes(inner) is { } kv)
        {
            if (node is not YamlMappingNode map) throw source.Error(node, $"'{path}' must be {Describe(inner)}, got {Show(node)}");
            var dict = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(kv.Key, kv.Value))!;
            foreach (var (k, v) in map.Children)
            {
                var key = Convert(k, kv.Key, false, path)!;
                dict[key] = Convert(v, kv.Value, Nullable.GetUnderlyingType(kv.Value) is not null, $"{path}.{key}");
            }
            return dict;
        }
        if (inner.IsClass && inner.GetConstructor(Type.EmptyTypes) is not null)
        {
            if (node is not YamlMappingNode map) throw source.Error(node, $"'{path}' must be a mapping of keys to values, got {Show(node)}");
            return new OptionsBinder(source).Bind(inner, map, path);
        }
        throw source.Error(node, $"'{path}': values of type {inner.Name} cannot be set from a config");
    }

    /// <summary>The element type of arrays and list interfaces (<c>int[]</c>, <c>IReadOnlyList&lt;int&gt;</c>, <c>List&lt;T&gt;</c>); null otherwise.</summary>
    public static Type? ElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (!t.IsGenericType || t == typeof(string)) return null;
        var def = t.GetGenericTypeDefinition();
        return def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(List<>) || def == typeof(IEnumerable<>)
            || def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>) ? t.GetGenericArguments()[0] : null;
    }

    /// <summary>The item types of a value tuple (<c>(double, double)</c>); null otherwise.</summary>
    public static Type[]? TupleTypes(Type t) =>
        t.IsValueType && t.IsGenericType && typeof(ITuple).IsAssignableFrom(t) ? t.GetGenericArguments() : null;

    /// <summary>The key and value types of dictionary interfaces; null otherwise.</summary>
    public static (Type Key, Type Value)? DictionaryTypes(Type t)
    {
        if (!t.IsGenericType) return null;
        var def = t.GetGenericTypeDefinition();
        if (def != typeof(IReadOnlyDictionary<,>) && def != typeof(IDictionary<,>) && def != typeof(Dictionary<,>)) return null;
        var a = t.GetGenericArguments();
        return (a[0], a[1]);
    }

    /// <summary>"a number", "an integer", "a list of integers", … for messages.</summary>
    public static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long)) return "an integer";
        if (t == typeof(ulong) || t == typeof(uint)) return "a non-negative integer";
        if (t == typeof(double) || t == typeof(float)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string";
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(OptionsSchema.SnakeCase));
        if (ElementType(t) is { } e) return $"a list of {Plural(e)}";
        if (TupleTypes(t) is { } parts) return $"a list of {parts.Length} {Plural(parts[0])}";
        if (DictionaryTypes(t) is { } kv) return $"a mapping of {Plural(kv.Key)} to {Plural(kv.Value)}";
        return "a mapping of keys to values";
    }

    private static string Plural(Type t)
    {
        var d = Describe(t);
        return d switch
        {
            "an integer" => "integers",
            "a non-negative integer" => "non-negative integers",
            "a number" => "numbers",
            "a string" => "strings",
            "true or false" => "flags",
            _ when d.StartsWith("a list of ", StringComparison.Ordinal) => "lists of " + d["a list of ".Length..],
            _ => d,
        };
    }

    private string Scalar(YamlNode node, Type type, string path) => node is YamlScalarNode s ? s.Value ?? ""
        : throw source.Error(node, $"'{path}' must be {Describe(type)}, got {Show(node)}");

    /// <summary>How a node is shown in messages: a scalar's text in quotes, or "a list" / "a mapping".</summary>
    public static string Show(YamlNode node) => node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };

    private static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
