// One task per step, in turn.
namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="RoundRobinScheduler"/> (none).</summary>
public sealed record RoundRobinOptions;

/// <summary>
/// <c>round-robin</c>: one task per step, in model order, cycling: global step g = e·S + s (S steps per epoch) goes to
/// task g mod K, so the rotation runs on across epoch boundaries. An epoch is Σₖ batchesₖ steps. Deterministic and
/// stateless.
/// </summary>
public sealed class RoundRobinScheduler() : TaskScheduler("round-robin")
{
    /// <inheritdoc/>
    protected override EpochPlan CreatePlan(int epoch, int steps)
    {
        int k = TaskCount;
        var choices = new int[steps];
        long start = (long)epoch * steps;
        for (int s = 0; s < steps; s++) choices[s] = (int)((start + s) % k);
        return EpochPlan.OneTaskPerStep(choices, k);
    }
}
