// GradDrop (Chen et al. 2020): per coordinate, keep only the positive or only the negative task gradients, by sign purity.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="GradDrop"/>.</summary>
public sealed record GradDropOptions
{
    /// <summary>
    /// Fraction ℓ ∈ [0, 1] of a dropped gradient that is kept anyway (the paper's leak; 0 = pure GradDrop, 1 = plain
    /// sum). Default 0.0, the paper's main setting and LibMTL's default.
    /// </summary>
    public double Leak { get; init; }

    /// <summary>Seed of the generator drawing one uniform number per coordinate per step.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Gradient sign dropout (Chen et al. 2020, "Just Pick a Sign: Optimizing Deep Multitask Models with Gradient Sign
/// Dropout"). For every coordinate j: the sign purity 𝒫ⱼ = ½(1 + Σₖ gₖⱼ / Σₖ |gₖⱼ|) ∈ [0, 1]; a uniform draw
/// Uⱼ ∈ [0, 1); when Uⱼ &lt; 𝒫ⱼ the positive entries gₖⱼ &gt; 0 are kept, otherwise the negative ones; dropped entries
/// count ℓ·gₖⱼ. The combined value is Σₖ gₖⱼ·(ℓ + (1 − ℓ)·Mₖⱼ). It is no fixed combination of the rows, so no
/// weights are returned. O(K·P), no allocation; one draw per coordinate, in coordinate order.
/// <para>
/// The paper applies it to the gradients w.r.t. an activation layer and first marginalises over the batch with the
/// sign of the layer's input (LibMTL likewise, representation gradients only). This strategy sees only the K×P matrix:
/// on representation rows (B·D values) it decides per sample and feature, with no input-sign correction; on parameter
/// rows it is the same rule coordinate by coordinate. Ties: with Σ|g| = 0 the coordinate is zero anyway; the paper's
/// strict comparisons (𝒫 &gt; U keeps positives, 𝒫 &lt; U negatives) are made exhaustive, so a coordinate whose
/// gradients all share a sign always keeps them (purity exactly 0 or 1, no ε in the denominator).
/// </para>
/// </summary>
public sealed class GradDrop : BalancingStrategy
{
    private readonly Generator _generator;
    private readonly ulong _seed;
    private readonly double _leak;

    public GradDrop(GradDropOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Leak >= 0 && options.Leak <= 1)) throw new ArgumentException($"strategy 'graddrop': Leak must be in [0, 1], got {options.Leak}");
        _leak = options.Leak;
        _seed = options.Seed;
        _generator = new Generator(options.Seed);
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;
    public override bool IsStochastic => true;

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks, p = gradients.Size;
        var g = gradients.Data;   // row-major K×P
        double leak = _leak;
        for (int j = 0; j < p; j++)
        {
            double sum = 0, abs = 0;
            for (int t = 0, at = j; t < k; t++, at += p)
            {
                sum += g[at];
                abs += Math.Abs(g[at]);
            }
            double purity = abs > 0 ? 0.5 * (1 + sum / abs) : 0.5;
            bool positive = _generator.NextDouble() < purity;
            double c = 0;
            for (int t = 0, at = j; t < k; t++, at += p)
            {
                double v = g[at];
                c += (positive ? v > 0 : v < 0) ? v : leak * v;
            }
            combined[j] = c;
        }
        return false;
    }

    protected override void OnReset() => _generator.Reseed(_seed);

    protected override void WriteState(StrategyState state) => state.Set("generator", _generator);

    protected override void ReadState(StrategyState state) => state.Restore("generator", _generator);
}
