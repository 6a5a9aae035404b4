// Task schedulers by registered name: each entry has an options record with defaults and a factory.
namespace Mtl.MultiTask.Scheduling;

/// <summary>One registered task scheduler.</summary>
/// <param name="Name">Registry name (e.g. <c>all</c>, <c>round-robin</c>, <c>temperature</c>).</param>
/// <param name="Summary">One line: what it does and its paper.</param>
/// <param name="OptionsType">The options record (parameterless constructor, init properties holding the defaults).</param>
/// <param name="Factory">Builds a fresh scheduler from an options instance of <paramref name="OptionsType"/>.</param>
public sealed record SchedulerInfo(string Name, string Summary, Type OptionsType, Func<object, ITaskScheduler> Factory)
{
    /// <summary>A fresh options instance holding the defaults.</summary>
    public object DefaultOptions() => Activator.CreateInstance(OptionsType)
        ?? throw new InvalidOperationException($"task scheduler '{Name}': cannot create {OptionsType.Name}");
}

/// <summary>
/// The task schedulers Mtl knows, by name. <see cref="Create"/> builds a fresh one from its options (defaults when none
/// are given); <see cref="All"/> lists them with their option types, for help text and configs.
/// </summary>
public static class SchedulerRegistry
{
    /// <summary>The default scheduler of multi-input sources.</summary>
    public const string Default = "all";

    private static readonly Dictionary<string, SchedulerInfo> Entries = new(StringComparer.Ordinal);

    static SchedulerRegistry()
    {
        Add<AllTasksOptions>("all", "every task takes a batch at every step (the default)", _ => new AllTasksScheduler());
        Add<RoundRobinOptions>("round-robin", "one task per step, in turn", _ => new RoundRobinScheduler());
        Add<ProportionalOptions>("proportional", "one task per step, p ∝ dataset size (Sanh et al. 2019)", o => new ProportionalScheduler(o));
        Add<TemperatureOptions>("temperature", "one task per step, p ∝ size^(1/τ) (Arivazhagan et al. 2019; mT5)", o => new TemperatureScheduler(o));
        Add<AnnealedOptions>("annealed", "one task per step, p ∝ size^α, α from 1 to 0.2 over the epochs (Stickland & Murray 2019)", o => new AnnealedScheduler(o));
        Add<LaggingOptions>("lagging", "one task per step, p ∝ exp(shortfall vs reference / τ), updated after each validation (Sharma et al. 2018)", o => new LaggingScheduler(o));
    }

    /// <summary>Every registered scheduler, sorted by name.</summary>
    public static IReadOnlyList<SchedulerInfo> All
    {
        get { lock (Entries) return Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The entry registered as <paramref name="name"/>; the error lists the known names.</summary>
    public static SchedulerInfo Get(string name)
    {
        lock (Entries)
            return Entries.TryGetValue(name, out var e) ? e
                : throw new KeyNotFoundException($"unknown task scheduler '{name}'; known: {string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Builds a fresh scheduler <paramref name="name"/>; <paramref name="options"/> must be its options type (null = defaults).</summary>
    public static ITaskScheduler Create(string name, object? options = null)
    {
        var info = Get(name);
        options ??= info.DefaultOptions();
        if (options.GetType() != info.OptionsType)
            throw new ArgumentException($"task scheduler '{name}' takes {info.OptionsType.Name}, got {options.GetType().Name}");
        var scheduler = info.Factory(options);
        if (scheduler is TaskScheduler builtIn) builtIn.Name = name;
        else if (scheduler.Name != name)
            throw new InvalidOperationException($"task scheduler '{name}': its factory built one named '{scheduler.Name}'");
        return scheduler;
    }

    /// <summary>Registers a scheduler (also for user extensions); a name can be registered once.</summary>
    public static void Add<TOptions>(string name, string summary, Func<TOptions, ITaskScheduler> factory)
        where TOptions : class, new()
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("SchedulerRegistry: empty name");
        ArgumentNullException.ThrowIfNull(factory);
        lock (Entries)
        {
            if (Entries.ContainsKey(name)) throw new ArgumentException($"SchedulerRegistry: '{name}' is already registered");
            Entries[name] = new SchedulerInfo(name, summary, typeof(TOptions), o => factory((TOptions)o));
        }
    }
}
