// Samples a task per step with probability ∝ n_k^(1/τ) (temperature sampling, Arivazhagan et al. 2019; mT5).
namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="TemperatureScheduler"/>.</summary>
public sealed record TemperatureOptions
{
    /// <summary>
    /// The temperature τ ≥ 1 in pₖ ∝ nₖ^(1/τ): 1 is proportional sampling, ∞ uniform. Default 2, a moderate flattening
    /// for a few tasks; Arivazhagan et al. used τ = 5 for 100+ language pairs, mT5 α = 1/τ = 0.3, XLM α = 0.7.
    /// </summary>
    public double Tau { get; init; } = 2;

    /// <summary>Seed of the per-epoch sampling generators.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// <c>temperature</c>: each step goes to task k with probability pₖ = nₖ^(1/τ) / Σⱼ nⱼ^(1/τ) — Arivazhagan et al.,
/// "Massively Multilingual Neural Machine Translation in the Wild: Findings and Challenges", 2019; used with
/// α = 1/τ = 0.3 by Xue et al., "mT5", NAACL 2021. Raising τ moves steps from large tasks to small ones.
/// </summary>
public sealed class TemperatureScheduler : SamplingScheduler
{
    private readonly double _inverseTau;

    /// <summary>A temperature scheduler; τ must be finite and ≥ 1 (positive τ below 1 would sharpen, which the papers never use).</summary>
    public TemperatureScheduler(TemperatureOptions options) : base("temperature", (options ?? throw new ArgumentNullException(nameof(options))).Seed)
    {
        if (!(options.Tau >= 1) || double.IsInfinity(options.Tau))
            throw new ArgumentOutOfRangeException(nameof(options), options.Tau, "temperature: Tau must be finite and ≥ 1");
        Tau = options.Tau;
        _inverseTau = 1 / options.Tau;
    }

    /// <summary>With default options (τ = 2).</summary>
    public TemperatureScheduler() : this(new TemperatureOptions()) { }

    /// <summary>The temperature τ.</summary>
    public double Tau { get; }

    /// <inheritdoc/>
    protected override void Weights(int epoch, Span<double> weights)
    {
        for (int k = 0; k < weights.Length; k++) weights[k] = Math.Pow(Context.Tasks[k].Samples, _inverseTau);
    }
}
