// The base record of optimiser hyper-parameters, and the reader/writer that moves them through state-dict values.
using System.Globalization;

namespace Mtl.NN.Optim;

/// <summary>
/// Hyper-parameters shared by every optimiser. Each optimiser has a derived record with its own options and PyTorch's
/// defaults; a <see cref="ParamGroup"/> may override any of them for its parameters.
/// </summary>
public abstract record OptimizerOptions
{
    /// <summary>Learning rate (≥ 0).</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Weight decay (≥ 0). L2 penalty added to the gradient, except in AdamW where it is decoupled.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Maximise the objective instead of minimising it (the gradient is negated).</summary>
    public bool Maximize { get; init; }

    /// <summary>The <see cref="ParamGroup"/> options besides Lr, WeightDecay and Maximize that this optimiser uses.</summary>
    internal abstract IReadOnlyCollection<string> OwnOptionNames { get; }

    /// <summary>A copy with the group's non-null overrides applied.</summary>
    internal OptimizerOptions Override(ParamGroup g)
    {
        var o = this with { Lr = g.Lr ?? Lr, WeightDecay = g.WeightDecay ?? WeightDecay, Maximize = g.Maximize ?? Maximize };
        return o.OverrideOwn(g);
    }

    /// <summary>A copy with the group's overrides of this optimiser's own options applied.</summary>
    private protected abstract OptimizerOptions OverrideOwn(ParamGroup g);

    /// <summary>Every invalid value, described as "invalid learning rate: -1" (empty when all are valid).</summary>
    internal IEnumerable<string> Problems()
    {
        if (!(Lr >= 0) || double.IsInfinity(Lr)) yield return $"invalid learning rate: {Fmt(Lr)} (must be finite and >= 0)";
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) yield return $"invalid weight_decay value: {Fmt(WeightDecay)} (must be finite and >= 0)";
        foreach (var p in OwnProblems()) yield return p;
    }

    private protected abstract IEnumerable<string> OwnProblems();

    /// <summary>Writes every option under <paramref name="prefix"/> (e.g. "group.0.lr").</summary>
    internal void WriteTo(IDictionary<string, string> values, string prefix)
    {
        OptionIO.Write(values, prefix + "lr", Lr);
        OptionIO.Write(values, prefix + "weight_decay", WeightDecay);
        OptionIO.Write(values, prefix + "maximize", Maximize);
        WriteOwn(values, prefix);
    }

    private protected abstract void WriteOwn(IDictionary<string, string> values, string prefix);

    /// <summary>A copy with every option read from <paramref name="r"/>; problems go to the reader's error list.</summary>
    internal OptimizerOptions ReadFrom(OptionReader r)
    {
        var o = this with { Lr = r.Double("lr", Lr), WeightDecay = r.Double("weight_decay", WeightDecay), Maximize = r.Bool("maximize", Maximize) };
        return o.ReadOwn(r);
    }

    private protected abstract OptimizerOptions ReadOwn(OptionReader r);

    /// <summary>A number formatted for an error message.</summary>
    private protected static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Invariant-culture formatting of option values ("R" for doubles, "true"/"false" for flags).</summary>
internal static class OptionIO
{
    public static void Write(IDictionary<string, string> values, string key, double x) => values[key] = x.ToString("R", CultureInfo.InvariantCulture);

    public static void Write(IDictionary<string, string> values, string key, bool x) => values[key] = x ? "true" : "false";

    public static void Write(IDictionary<string, string> values, string key, long x) => values[key] = x.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string s, out double x) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out x);

    public static bool TryParse(string s, out long x) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out x);

    public static bool TryParse(string s, out bool x)
    {
        x = s == "true";
        return s is "true" or "false";
    }
}

/// <summary>
/// Reads options under one key prefix from state-dict values, recording which keys it used and describing missing or
/// malformed ones in a shared error list instead of throwing (so a load can report every problem at once).
/// </summary>
internal sealed class OptionReader(IReadOnlyDictionary<string, string> values, string prefix, List<string> errors, HashSet<string> used)
{
    public double Double(string name, double fallback)
    {
        if (!Get(name, out var s)) return fallback;
        if (OptionIO.TryParse(s, out double x)) return x;
        errors.Add($"value '{prefix + name}' = '{s}' is not a number");
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        if (!Get(name, out var s)) return fallback;
        if (OptionIO.TryParse(s, out bool x)) return x;
        errors.Add($"value '{prefix + name}' = '{s}' is not 'true' or 'false'");
        return fallback;
    }

    private bool Get(string name, out string s)
    {
        string key = prefix + name;
        used.Add(key);
        if (values.TryGetValue(key, out s!)) return true;
        errors.Add($"missing value '{key}'");
        return false;
    }
}
