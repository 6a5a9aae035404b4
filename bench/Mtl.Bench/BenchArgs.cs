// Reads `--name value` options from a benchmark's extra arguments (numbers in the invariant culture).
using System.Globalization;

namespace Mtl.Bench;

/// <summary>Typed look-ups of <c>--name value</c> pairs among <see cref="BenchOptions.Args"/>.</summary>
internal static class BenchArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public static int Int(IReadOnlyList<string> args, string name, int fallback) =>
        Value(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The number after <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public static double Double(IReadOnlyList<string> args, string name, double fallback) =>
        Value(args, name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The comma-separated numbers after <paramref name="name"/> (e.g. <c>--p 0.5,0.9</c>), or null when absent.</summary>
    public static double[]? Doubles(IReadOnlyList<string> args, string name) =>
        Value(args, name)?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Whether the flag <paramref name="name"/> is present.</summary>
    public static bool Flag(IReadOnlyList<string> args, string name) => args.Contains(name);

    /// <summary>The raw text after <paramref name="name"/>, or null when absent.</summary>
    public static string? Value(IReadOnlyList<string> args, string name)
    {
        for (int i = 0; i < args.Count; i++)
            if (args[i] == name)
                return i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
        return null;
    }
}
