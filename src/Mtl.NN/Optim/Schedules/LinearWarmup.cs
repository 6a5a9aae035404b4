// Linear warm-up: scale the learning rate from startFactor to endFactor over a number of steps (like LinearLR).
namespace Mtl.NN.Optim;

/// <summary>
/// lr = base · (start + (end − start)·min(epoch, warmupSteps)/warmupSteps), as torch.optim.lr_scheduler.LinearLR; the
/// gradual warm-up of Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017.
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    /// <summary>
    /// Warms up over <paramref name="warmupSteps"/> (&gt; 0) steps from <paramref name="startFactor"/> to
    /// <paramref name="endFactor"/> times the base rate (both in [0, 1]; PyTorch's LinearLR defaults).
    /// </summary>
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor = 1.0 / 3, double endFactor = 1.0) : base(optimizer)
    {
        Require(warmupSteps > 0, $"warmupSteps must be > 0, got {warmupSteps}");
        Require(startFactor >= 0 && startFactor <= 1, $"startFactor must be in [0, 1], got {Fmt(startFactor)}");
        Require(endFactor >= 0 && endFactor <= 1, $"endFactor must be in [0, 1], got {Fmt(endFactor)}");
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        EndFactor = endFactor;
        Start();
    }

    /// <summary>Steps until the factor reaches <see cref="EndFactor"/>.</summary>
    public int WarmupSteps { get; }

    /// <summary>Factor at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>Factor from <see cref="WarmupSteps"/> on.</summary>
    public double EndFactor { get; }

    private protected override double LrAt(int epoch, double baseLr) => Linear(epoch, WarmupSteps, baseLr, StartFactor, EndFactor);

    internal static double Linear(int epoch, int steps, double baseLr, double start, double end) =>
        baseLr * (start + (end - start) * Math.Min(steps, epoch) / steps);
}
