// Samples a task per step with probability proportional to its dataset size (Sanh et al. 2019).
namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="ProportionalScheduler"/>.</summary>
public sealed record ProportionalOptions
{
    /// <summary>Seed of the per-epoch sampling generators.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// <c>proportional</c>: each step goes to task k with probability pₖ = nₖ / Σⱼ nⱼ, nₖ the task's training samples —
/// Sanh, Wolf and Ruder, "A Hierarchical Multi-task Approach for Learning Embeddings from Semantic Tasks", AAAI 2019
/// ("proportional sampling"). Every sample is then equally likely to be drawn; large tasks dominate.
/// </summary>
public sealed class ProportionalScheduler(ProportionalOptions options) : SamplingScheduler("proportional", (options ?? throw new ArgumentNullException(nameof(options))).Seed)
{
    /// <summary>With default options.</summary>
    public ProportionalScheduler() : this(new ProportionalOptions()) { }

    /// <inheritdoc/>
    protected override void Weights(int epoch, Span<double> weights)
    {
        for (int k = 0; k < weights.Length; k++) weights[k] = Context.Tasks[k].Samples;
    }
}
