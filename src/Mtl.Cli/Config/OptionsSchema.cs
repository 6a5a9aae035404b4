// Reflects over options records: their settable properties as snake_case keys, with types and defaults for help text.
using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace Mtl.Cli.Config;

/// <summary>One configurable property of an options record: its YAML key (snake_case of the property name).</summary>
/// <param name="Key">The snake_case key, e.g. <c>num_experts</c> for <c>NumExperts</c>.</param>
/// <param name="Property">The public property with a public <c>init</c> or <c>set</c> accessor.</param>
/// <param name="Nullable">Whether null is a valid value (nullable value type or nullable reference).</param>
internal sealed record OptionField(string Key, PropertyInfo Property, bool Nullable)
{
    /// <summary>The property's type.</summary>
    public Type Type => Property.PropertyType;
}

/// <summary>
/// The reflection that maps options records (architectures', strategies', optimisers', the CLI's own sections) to
/// config keys: every public instance property with a public setter (init included), base class first, in declaration
/// order, named in snake_case. The same list drives binding, the resolved config and <c>mtl list</c>.
/// </summary>
internal static class OptionsSchema
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<OptionField>> Cache = new();
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The configurable properties of <paramref name="type"/>.</summary>
    public static IReadOnlyList<OptionField> Fields(Type type) => Cache.GetOrAdd(type, t =>
    {
        var chain = new List<Type>();
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType) chain.Insert(0, c);
        var fields = new List<OptionField>();
        foreach (var declaring in chain)
        {
            var props = declaring.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                .OrderBy(p => p.MetadataToken);
            foreach (var p in props)
            {
                bool nullable = System.Nullable.GetUnderlyingType(p.PropertyType) is not null
                    || (!p.PropertyType.IsValueType && Nullability.Create(p).WriteState == NullabilityState.Nullable);
                fields.Add(new OptionField(SnakeCase(p.Name), p, nullable));
            }
        }
        return fields;
    });

    /// <summary>The keys of <paramref name="type"/>, in order.</summary>
    public static IReadOnlyList<string> Keys(Type type) => Fields(type).Select(f => f.Key).ToList();

    /// <summary>A fresh instance holding the defaults (parameterless constructor).</summary>
    public static object Defaults(Type type) => Activator.CreateInstance(type)
        ?? throw new InvalidOperationException($"cannot create {type.Name}");

    /// <summary><c>NumExperts</c> → <c>num_experts</c>, <c>TMax</c> → <c>t_max</c>, <c>Beta1</c> → <c>beta1</c>.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A short type name for help and listings: <c>int</c>, <c>float</c>, <c>list&lt;int&gt;</c>, <c>l2|trace_norm</c>, with <c>?</c> when null is allowed.</summary>
    public static string TypeName(Type type, bool nullable)
    {
        var inner = System.Nullable.GetUnderlyingType(type) ?? type;
        return ShortName(inner) + (nullable ? "?" : "");
    }

    private static string ShortName(Type t)
    {
        if (t == typeof(int) || t == typeof(long)) return "int";
        if (t == typeof(ulong) || t == typeof(uint)) return "uint";
        if (t == typeof(double) || t == typeof(float)) return "float";
        if (t == typeof(bool)) return "bool";
        if (t == typeof(string)) return "string";
        if (t.IsEnum) return string.Join("|", Enum.GetNames(t).Select(SnakeCase));
        if (ValueConverter.ElementType(t) is { } e) return $"list<{ShortName(System.Nullable.GetUnderlyingType(e) ?? e)}>";
        if (ValueConverter.TupleTypes(t) is { } parts) return $"[{string.Join(", ", parts.Select(ShortName))}]";
        if (ValueConverter.DictionaryTypes(t) is { } kv) return $"map<{ShortName(kv.Key)}, {ShortName(kv.Value)}>";
        return t.Name;
    }
}
