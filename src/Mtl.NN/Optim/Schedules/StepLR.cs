// Step decay: multiply the learning rate by gamma every stepSize epochs (torch.optim.lr_scheduler.StepLR).
namespace Mtl.NN.Optim;

/// <summary>lr = base · gamma^⌊epoch / stepSize⌋, as torch.optim.lr_scheduler.StepLR.</summary>
public sealed class StepLR : LrScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> (≥ 0) every <paramref name="stepSize"/> (&gt; 0) epochs.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        Require(stepSize > 0, $"stepSize must be > 0, got {stepSize}");
        Require(gamma >= 0 && double.IsFinite(gamma), $"gamma must be finite and >= 0, got {Fmt(gamma)}");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    private protected override double LrAt(int epoch, double baseLr) => baseLr * Math.Pow(Gamma, epoch / StepSize);
}
