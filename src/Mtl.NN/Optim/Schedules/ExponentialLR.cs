// Exponential decay: multiply the learning rate by gamma every epoch (torch.optim.lr_scheduler.ExponentialLR).
namespace Mtl.NN.Optim;

/// <summary>lr = base · gamma^epoch, as torch.optim.lr_scheduler.ExponentialLR.</summary>
public sealed class ExponentialLR : LrScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> (≥ 0) every epoch.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Require(gamma >= 0 && double.IsFinite(gamma), $"gamma must be finite and >= 0, got {Fmt(gamma)}");
        Gamma = gamma;
        Start();
    }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    private protected override double LrAt(int epoch, double baseLr) => baseLr * Math.Pow(Gamma, epoch);
}
