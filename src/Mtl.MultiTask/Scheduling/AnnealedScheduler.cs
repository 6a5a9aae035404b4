// Samples a task per step with probability ∝ n_k^α, α annealed from 1 to 0.2 over the epochs (Stickland & Murray 2019).
namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="AnnealedScheduler"/>.</summary>
public sealed record AnnealedOptions
{
    /// <summary>How far α falls over training: α = 1 − Decay·(e − 1)/(E − 1). The paper's 0.8 ends at α = 0.2.</summary>
    public double Decay { get; init; } = 0.8;

    /// <summary>Seed of the per-epoch sampling generators.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// <c>annealed</c>: each step goes to task k with probability pₖ ∝ nₖ^α, where in epoch e = 1..E (1-based, E the
/// trainer's <see cref="Training.TrainerOptions.Epochs"/>) α = 1 − 0.8·(e − 1)/(E − 1) — Stickland and Murray, "BERT
/// and PALs: Projected Attention Layers for Efficient Adaptation in Multi-Task Learning", ICML 2019 ("annealed
/// sampling"). Training starts proportional to dataset size and ends close to uniform. With E = 1, α = 1; epochs past
/// E (a longer second fit) keep the last α.
/// </summary>
public sealed class AnnealedScheduler : SamplingScheduler
{
    /// <summary>An annealed scheduler; Decay must lie in [0, 1].</summary>
    public AnnealedScheduler(AnnealedOptions options) : base("annealed", (options ?? throw new ArgumentNullException(nameof(options))).Seed)
    {
        if (!(options.Decay >= 0 && options.Decay <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Decay, "annealed: Decay must lie in [0, 1]");
        Decay = options.Decay;
    }

    /// <summary>With default options (decay 0.8).</summary>
    public AnnealedScheduler() : this(new AnnealedOptions()) { }

    /// <summary>The total fall of α.</summary>
    public double Decay { get; }

    /// <summary>α of epoch <paramref name="epoch"/> (0-based) for a budget of <paramref name="epochs"/> epochs.</summary>
    public double Alpha(int epoch, int epochs)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "annealed: epoch must be 0 or more");
        if (epochs <= 1) return 1;
        int e = Math.Min(epoch, epochs - 1);          // 0-based e here is the paper's e − 1
        return 1 - Decay * e / (epochs - 1);
    }

    /// <inheritdoc/>
    protected override void Weights(int epoch, Span<double> weights)
    {
        double alpha = Alpha(epoch, Context.Epochs);
        for (int k = 0; k < weights.Length; k++) weights[k] = Math.Pow(Context.Tasks[k].Samples, alpha);
    }
}
