// Balancing strategies by registered name: each entry has a family, an options record with defaults, and a factory.
namespace Mtl.MultiTask.Balancing;

/// <summary>Where a strategy acts.</summary>
public enum StrategyFamily
{
    /// <summary>Weights the task losses (one backward pass).</summary>
    LossWeighting,
    /// <summary>Combines the K task gradients (K backward passes through the shared graph).</summary>
    GradientCombination,
    /// <summary>Learns task weights on validation data with a look-ahead step (needs the trainer's help).</summary>
    Bilevel,
    /// <summary>Trains towards a given trade-off (preference vector) between the tasks.</summary>
    Pareto,
}

/// <summary>One registered strategy.</summary>
/// <param name="Name">Registry name, lower-case as in the literature (e.g. <c>ew</c>, <c>pcgrad</c>, <c>nashmtl</c>).</param>
/// <param name="Family">Where it acts.</param>
/// <param name="Summary">One line: what it does and its paper.</param>
/// <param name="OptionsType">The options record (parameterless constructor, init properties holding the paper's defaults).</param>
/// <param name="Factory">Builds a fresh strategy from an options instance of <paramref name="OptionsType"/>.</param>
public sealed record StrategyInfo(string Name, StrategyFamily Family, string Summary, Type OptionsType, Func<object, BalancingStrategy> Factory)
{
    /// <summary>A fresh options instance holding the defaults.</summary>
    public object DefaultOptions() => Activator.CreateInstance(OptionsType)
        ?? throw new InvalidOperationException($"strategy '{Name}': cannot create {OptionsType.Name}");
}

/// <summary>
/// The balancing strategies Mtl knows, by name. <see cref="Create"/> builds a fresh one from its options (defaults when
/// none are given); <see cref="All"/> lists them with their option types, for help text, configs and the catalogue.
/// Each family of methods registers itself from its own file (the partial <c>Register…</c> methods).
/// </summary>
public static partial class StrategyRegistry
{
    private static readonly Dictionary<string, StrategyInfo> Entries = new(StringComparer.Ordinal);

    static StrategyRegistry()
    {
        RegisterBasic();
        RegisterLossWeighting();
        RegisterProjection();
        RegisterSolvers();
        RegisterAggregators();
        RegisterBilevelAndPareto();
        RegisterTracking();
    }

    static partial void RegisterBasic();
    static partial void RegisterLossWeighting();
    static partial void RegisterProjection();
    static partial void RegisterSolvers();
    static partial void RegisterAggregators();
    static partial void RegisterBilevelAndPareto();
    static partial void RegisterTracking();

    /// <summary>Every registered strategy, sorted by name.</summary>
    public static IReadOnlyList<StrategyInfo> All
    {
        get { lock (Entries) return Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The entry registered as <paramref name="name"/>; the error lists the known names.</summary>
    public static StrategyInfo Get(string name)
    {
        lock (Entries)
            return Entries.TryGetValue(name, out var e) ? e
                : throw new KeyNotFoundException($"unknown balancing strategy '{name}'; known: {string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Builds a fresh strategy <paramref name="name"/>; <paramref name="options"/> must be its options type (null = defaults).</summary>
    public static BalancingStrategy Create(string name, object? options = null)
    {
        var info = Get(name);
        options ??= info.DefaultOptions();
        if (options.GetType() != info.OptionsType)
            throw new ArgumentException($"strategy '{name}' takes {info.OptionsType.Name}, got {options.GetType().Name}");
        var strategy = info.Factory(options);
        strategy.Name = name;
        return strategy;
    }

    /// <summary>Registers a strategy (also for user extensions); a name can be registered once.</summary>
    public static void Add<TOptions>(string name, StrategyFamily family, string summary, Func<TOptions, BalancingStrategy> factory)
        where TOptions : class, new()
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("StrategyRegistry: empty name");
        ArgumentNullException.ThrowIfNull(factory);
        lock (Entries)
        {
            if (Entries.ContainsKey(name)) throw new ArgumentException($"StrategyRegistry: '{name}' is already registered");
            Entries[name] = new StrategyInfo(name, family, summary, typeof(TOptions), o => factory((TOptions)o));
        }
    }
}
