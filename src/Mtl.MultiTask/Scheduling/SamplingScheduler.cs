// The base of the schedulers that draw one task per step from a distribution over the tasks.
using System.Globalization;
using Mtl.Data;
using Mtl.NN;

namespace Mtl.MultiTask.Scheduling;

/// <summary>
/// A scheduler that gives each step to one task drawn with probability pₖ (<see cref="Probabilities"/>). An epoch is
/// Σₖ batchesₖ steps, so under <c>proportional</c> each task takes one pass over its loader per epoch on average.
/// Epoch e's draws come from <c>new Generator(DataLoader.EpochSeed(Seed, e))</c> by inverse-CDF sampling (one
/// <see cref="Generator.NextDouble"/> per step), so the plan depends only on the seed, the epoch and pₖ — a resumed run
/// redraws the same plan. The seed is part of the saved state.
/// </summary>
public abstract class SamplingScheduler(string? name, ulong seed) : TaskScheduler(name)
{
    /// <summary>The seed of the per-epoch generators.</summary>
    public ulong Seed { get; private set; } = seed;

    /// <summary>
    /// Writes the unnormalised sampling weights of epoch <paramref name="epoch"/> (length K, finite, ≥ 0, not all 0).
    /// </summary>
    protected abstract void Weights(int epoch, Span<double> weights);

    /// <summary>The normalised sampling probabilities pₖ of epoch <paramref name="epoch"/>, in bound task order.</summary>
    public double[] Probabilities(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"task scheduler '{Name}': epoch must be 0 or more");
        var p = new double[TaskCount];
        Weights(epoch, p);
        double sum = 0;
        foreach (var w in p)
        {
            if (!(w >= 0) || double.IsInfinity(w)) throw new InvalidOperationException($"task scheduler '{Name}': sampling weights must be finite and ≥ 0, got [{string.Join(", ", p)}]");
            sum += w;
        }
        if (!(sum > 0)) throw new InvalidOperationException($"task scheduler '{Name}': the sampling weights are all 0");
        for (int k = 0; k < p.Length; k++) p[k] /= sum;
        return p;
    }

    /// <inheritdoc/>
    protected override EpochPlan CreatePlan(int epoch, int steps)
    {
        var p = Probabilities(epoch);
        var cumulative = new double[p.Length];
        double c = 0;
        for (int k = 0; k < p.Length; k++) cumulative[k] = c += p[k];
        var g = new Generator(DataLoader.EpochSeed(Seed, epoch));
        var choices = new int[steps];
        for (int s = 0; s < steps; s++)
        {
            double u = g.NextDouble() * c;
            int k = 0;
            while (k < p.Length - 1 && u >= cumulative[k]) k++;   // first k with u < Σ_{i≤k} p_i
            choices[s] = k;
        }
        return EpochPlan.OneTaskPerStep(choices, p.Length);
    }

    /// <inheritdoc/>
    protected override void WriteState(StateDict state) => state.Values["seed"] = Seed.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    protected override void ReadState(StateDict state) => Seed = ulong.Parse(Get(state, "seed"), CultureInfo.InvariantCulture);
}
