// Tool `strategy-catalogue`: prints the markdown catalogue of registered balancing strategies (for docs/balancing.md).
using System.Collections;
using System.Globalization;
using System.Reflection;
using Mtl.MultiTask.Balancing;

namespace Mtl.Bench;

/// <summary>
/// One markdown table row per registered strategy: name, family, what it does (its registry summary), its options with
/// defaults (reflected from the options record), and its capabilities. docs/balancing.md holds its output.
/// </summary>
internal sealed class StrategyCatalogue : IBenchmark
{
    public string Name => "strategy-catalogue";
    public string Description => "print the markdown catalogue of balancing strategies (docs/balancing.md)";

    public int Run(BenchOptions options)
    {
        Console.WriteLine("| name | family | what it does (paper) | options (defaults) | representation | stochastic |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var info in StrategyRegistry.All)
        {
            var strategy = StrategyRegistry.Create(info.Name);
            Console.WriteLine($"| `{info.Name}` | {Family(info.Family)} | {info.Summary} | {Options(info.DefaultOptions())} | " +
                $"{(strategy.SupportsRepresentation ? "yes" : "no")} | {(strategy.IsStochastic ? "yes" : "no")} |");
        }
        return 0;
    }

    private static string Family(StrategyFamily f) => f switch
    {
        StrategyFamily.LossWeighting => "loss",
        StrategyFamily.GradientCombination => "gradient",
        StrategyFamily.Bilevel => "bilevel",
        _ => "Pareto",
    };

    private static string Options(object options)
    {
        var props = options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.Name != "EqualityContract").ToList();
        return props.Count == 0 ? "—" : string.Join(", ", props.Select(p => $"`{p.Name}` = {Format(p.GetValue(options))}"));
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        float f => f.ToString("G", CultureInfo.InvariantCulture),
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
