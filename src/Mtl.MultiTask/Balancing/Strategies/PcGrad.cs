// PCGrad (Yu et al. 2020): project each task gradient off the others it conflicts with, in random order, then sum.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="PcGrad"/>.</summary>
public sealed record PcGradOptions
{
    /// <summary>Seed of the generator that shuffles the projection order per task (the paper shuffles at every step).</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Gradient surgery: for each task i, gᵢ' starts as gᵢ; for every other task j in a random order, when gᵢ'·gⱼ &lt; 0,
/// gᵢ' -= (gᵢ'·gⱼ / ‖gⱼ‖²)·gⱼ. The result is Σᵢ gᵢ'. Each gᵢ' stays a combination of the rows of G, so the work is
/// done on the K×K Gramian (coefficients cᵢ with gᵢ' = cᵢᵀG) and the combined gradient is wᵀG with w = Σᵢ cᵢ.
/// </summary>
public sealed class PcGrad(PcGradOptions options) : BalancingStrategy
{
    private readonly Generator _generator = new(options.Seed);
    private readonly ulong _seed = options.Seed;

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;
    public override bool IsStochastic => true;

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        var order = new int[k];
        var c = new double[k];
        weights.Clear();
        for (int i = 0; i < k; i++)
        {
            Array.Clear(c);
            c[i] = 1;
            for (int j = 0; j < k; j++) order[j] = j;
            _generator.Shuffle(order.AsSpan());
            foreach (int j in order)
            {
                if (j == i || gram[j, j] <= 0) continue;
                double dot = 0;   // gᵢ'·gⱼ = Σₘ cₘ·(gₘ·gⱼ)
                for (int m = 0; m < k; m++) dot += c[m] * gram[m, j];
                if (dot < 0) c[j] -= dot / gram[j, j];
            }
            for (int m = 0; m < k; m++) weights[m] += c[m];
        }
        gradients.WeightedSum(weights, combined);
        return true;
    }

    protected override void OnReset() => _generator.Reseed(_seed);

    protected override void WriteState(StrategyState state) => state.Set("generator", _generator);

    protected override void ReadState(StrategyState state) => state.Restore("generator", _generator);
}
