// Config catalogs read from the library's registries: architectures, strategies and task schedulers.
using Mtl.Cli.Config;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Scheduling;

namespace Mtl.Cli.Model;

/// <summary>The <c>architecture</c>, <c>strategy</c> and <c>data.scheduler</c> sections' choices, straight from the registries (new entries appear without CLI changes).</summary>
internal static class RegistryCatalogs
{
    /// <summary>Every registered architecture.</summary>
    public static Catalog Architectures => new("architecture", "architecture",
        ArchitectureRegistry.All.Select(a => new CatalogEntry(a.Name, a.Summary, a.OptionsType)).ToList());

    /// <summary>Every registered balancing strategy; the summary starts with its family.</summary>
    public static Catalog Strategies => new("strategy", "strategy",
        StrategyRegistry.All.Select(s => new CatalogEntry(s.Name, $"[{OptionsSchema.SnakeCase(s.Family.ToString())}] {s.Summary}", s.OptionsType)).ToList());

    /// <summary>Every registered task scheduler (SchedulerRegistry): which tasks take a batch at each step of multi-input data.</summary>
    public static Catalog Schedulers => new("data.scheduler", "task scheduler",
        SchedulerRegistry.All.Select(s => new CatalogEntry(s.Name, s.Summary, s.OptionsType)).ToList());
}
