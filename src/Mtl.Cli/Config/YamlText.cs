// Formats option values as YAML text that ConfigLoader reads back to the same values (numbers round-trip exactly).
using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mtl.Cli.Config;

/// <summary>YAML flow text for option values: <c>null</c>, <c>true</c>, <c>0.05</c>, <c>trace_norm</c>, <c>[64, 32]</c>, <c>{a: [b]}</c>.</summary>
internal static partial class YamlText
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];

    /// <summary>The value as one line of YAML.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => Scalar(s),
        double d => Number(d),
        float f => Number(f),
        Enum e => OptionsSchema.SnakeCase(e.ToString()),
        IFormattable i when value.GetType().IsPrimitive => i.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Format(k)}: {Format(map[k])}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        ITuple tuple => "[" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Format(tuple[i]))) + "]",
        _ => "{" + string.Join(", ", OptionsSchema.Fields(value.GetType()).Select(f => $"{f.Key}: {Format(f.Property.GetValue(value))}")) + "}",
    };

    private static string Number(double d) =>
        double.IsNaN(d) ? ".nan" : double.IsPositiveInfinity(d) ? ".inf" : double.IsNegativeInfinity(d) ? "-.inf" : d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A string as a plain scalar when that reads back as the same string, else double-quoted.</summary>
    public static string Scalar(string s) =>
        PlainSafe().IsMatch(s) && !Reserved.Contains(s.ToLowerInvariant()) ? s : JsonSerializer.Serialize(s, Json);

    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainSafe();
}
