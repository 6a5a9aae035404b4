// Linear warm-up followed by cosine annealing, in one schedule (SequentialLR of LinearLR and CosineAnnealingLR).
namespace Mtl.NN.Optim;

/// <summary>
/// The usual warm-up-then-cosine schedule over <c>totalSteps</c>: for epoch &lt; warmupSteps,
/// lr = base · (start + (1 − start)·epoch/warmupSteps) (see <see cref="LinearWarmup"/>); then cosine annealing from base
/// to etaMin over the remaining totalSteps − warmupSteps (see <see cref="CosineAnnealingLR"/>). Equal to PyTorch's
/// SequentialLR([LinearLR(start, total_iters=warmup), CosineAnnealingLR(T_max=total − warmup, eta_min)], [warmup]).
/// </summary>
public sealed class WarmupCosine : LrScheduler
{
    /// <summary>
    /// Warms up linearly over <paramref name="warmupSteps"/> (≥ 0) steps from <paramref name="startFactor"/> (in [0, 1])
    /// times the base rate, then anneals to <paramref name="etaMin"/> (≥ 0) by <paramref name="totalSteps"/> (&gt; warmupSteps).
    /// </summary>
    public WarmupCosine(Optimizer optimizer, int warmupSteps, int totalSteps, double startFactor = 1.0 / 3, double etaMin = 0) : base(optimizer)
    {
        Require(warmupSteps >= 0, $"warmupSteps must be >= 0, got {warmupSteps}");
        Require(totalSteps > warmupSteps, $"totalSteps ({totalSteps}) must be greater than warmupSteps ({warmupSteps})");
        Require(startFactor >= 0 && startFactor <= 1, $"startFactor must be in [0, 1], got {Fmt(startFactor)}");
        Require(etaMin >= 0 && double.IsFinite(etaMin), $"etaMin must be finite and >= 0, got {Fmt(etaMin)}");
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        StartFactor = startFactor;
        EtaMin = etaMin;
        Start();
    }

    /// <summary>Length of the linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <summary>Warm-up plus annealing length; the learning rate reaches <see cref="EtaMin"/> here.</summary>
    public int TotalSteps { get; }

    /// <summary>Factor of the base rate at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>The lowest learning rate.</summary>
    public double EtaMin { get; }

    private protected override double LrAt(int epoch, double baseLr) =>
        epoch < WarmupSteps
            ? LinearWarmup.Linear(epoch, WarmupSteps, baseLr, StartFactor, 1)
            : CosineAnnealingLR.Cosine(epoch - WarmupSteps, TotalSteps - WarmupSteps, baseLr, EtaMin);
}
