// Architectures by registered name: each entry has an options record type with defaults and a factory from a context.
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Architectures;

/// <summary>What every architecture is built from: the tasks and the trunk (encoder stages) it shares between them.</summary>
/// <param name="Tasks">The tasks, in declaration order (heads are built from their <see cref="TaskSpec.Head"/>).</param>
/// <param name="Trunk">The encoder as stages; architectures build one or several copies of it.</param>
public sealed record ArchitectureContext(IReadOnlyList<TaskSpec> Tasks, Trunk Trunk);

/// <summary>One registered architecture.</summary>
/// <param name="Name">Registry name, lower-case (e.g. <c>hard</c>, <c>cross-stitch</c>, <c>mmoe</c>).</param>
/// <param name="Summary">One line: what it does and its paper.</param>
/// <param name="OptionsType">The options record (a class with an parameterless constructor and init properties).</param>
/// <param name="Factory">Builds the model from a context and an options instance of <paramref name="OptionsType"/>.</param>
public sealed record ArchitectureInfo(string Name, string Summary, Type OptionsType, Func<ArchitectureContext, object, MultiTaskModel> Factory)
{
    /// <summary>A fresh options instance holding the defaults.</summary>
    public object DefaultOptions() => Activator.CreateInstance(OptionsType)
        ?? throw new InvalidOperationException($"architecture '{Name}': cannot create {OptionsType.Name}");
}

/// <summary>
/// The architectures Mtl knows, by name. <see cref="Create"/> builds one from a context and options (defaults when
/// none are given); <see cref="All"/> lists them with their option types for help text and configs.
/// </summary>
public static class ArchitectureRegistry
{
    private static readonly Dictionary<string, ArchitectureInfo> Entries = new(StringComparer.Ordinal);

    static ArchitectureRegistry()
    {
        Add<HardSharingOptions>("hard", "hard parameter sharing: one shared trunk, one head per task (Caruana 1997)", HardSharing.Create);
        Add<MmoeOptions>("mmoe", "multi-gate mixture of experts: trunk copies as experts, a softmax gate per task (Ma et al. 2018)", Mmoe.Create);
        Add<CrossStitchOptions>("cross-stitch", "cross-stitch networks: one trunk column per task, learned linear mixing after each stage (Misra et al. 2016)", CrossStitch.Create);
        Add<SoftSharingOptions>("soft", "soft sharing: one trunk column per task tied by an L2, trace-norm or shared/private orthogonality penalty (Duong 2015; Yang & Hospedales 2017; Liu 2017)", SoftSharing.Create);
        Add<TaskAttentionOptions>("task-attention", "task attention: one trunk column per task, per-sample softmax mixing of the columns after each stage", TaskAttention.Create);
        Add<MtanOptions>("mtan", "multi-task attention network: a shared trunk with a soft attention mask per task and stage (Liu et al. 2019)", Mtan.Create);
        Add<HierarchicalOptions>("hierarchical", "heads at chosen trunk depths, with task chains feeding predictions downstream (Søgaard & Goldberg 2016)", Hierarchical.Create);
        Add<LearningToBranchOptions>("ltb", "learning to branch: a tree of trunk-stage copies with Gumbel-softmax parent choices (Guo et al. 2020)", LearningToBranch.Create);
        Add<CgcOptions>("cgc", "customized gate control: shared and task-specific trunk copies, a gate per task (Tang et al. 2020)", Ple.CreateCgc);
        Add<PleOptions>("ple", "progressive layered extraction: CGC levels per trunk stage with a shared gate between levels (Tang et al. 2020)", Ple.Create);
        Add<DSelectKOptions>("dselect-k", "mixture of experts with differentiable k-sparse DSelect-k gates per task (Hazimeh et al. 2021)", DSelectK.Create);
        Add<LowRankOptions>("low-rank", "shared trunk, then task branches whose layers share a Tucker-factorised weight tensor (Yang & Hospedales 2017)", LowRank.Create);
    }

    /// <summary>Every registered architecture, sorted by name.</summary>
    public static IReadOnlyList<ArchitectureInfo> All => Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    /// <summary>The entry registered as <paramref name="name"/>; the error lists the known names.</summary>
    public static ArchitectureInfo Get(string name) => Entries.TryGetValue(name, out var e) ? e
        : throw new KeyNotFoundException($"unknown architecture '{name}'; known: {string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Builds architecture <paramref name="name"/>; <paramref name="options"/> must be its options type (null = defaults).</summary>
    public static MultiTaskModel Create(string name, ArchitectureContext context, object? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var info = Get(name);
        options ??= info.DefaultOptions();
        if (options.GetType() != info.OptionsType)
            throw new ArgumentException($"architecture '{name}' takes {info.OptionsType.Name}, got {options.GetType().Name}");
        TaskSpec.Validate(context.Tasks);
        return info.Factory(context, options);
    }

    /// <summary>Registers an architecture (also for user extensions); a name can be registered once.</summary>
    public static void Add<TOptions>(string name, string summary, Func<ArchitectureContext, TOptions, MultiTaskModel> factory)
        where TOptions : class, new()
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("ArchitectureRegistry: empty name");
        lock (Entries)
        {
            if (Entries.ContainsKey(name)) throw new ArgumentException($"ArchitectureRegistry: '{name}' is already registered");
            Entries[name] = new ArchitectureInfo(name, summary, typeof(TOptions), (c, o) => factory(c, (TOptions)o));
        }
    }
}
