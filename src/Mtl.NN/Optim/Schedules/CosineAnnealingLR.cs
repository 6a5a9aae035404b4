// Cosine annealing from the base learning rate to etaMin over tMax epochs (torch.optim.lr_scheduler.CosineAnnealingLR).
namespace Mtl.NN.Optim;

/// <summary>
/// lr = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2: the cosine annealing of SGDR (Loshchilov and Hutter,
/// "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017) without restarts, as
/// torch.optim.lr_scheduler.CosineAnnealingLR (PyTorch's closed form; past tMax the cosine climbs back, as PyTorch's does).
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    /// <summary>Anneals over <paramref name="tMax"/> (&gt; 0) epochs down to <paramref name="etaMin"/> (≥ 0).</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        Require(tMax > 0, $"tMax must be > 0, got {tMax}");
        Require(etaMin >= 0 && double.IsFinite(etaMin), $"etaMin must be finite and >= 0, got {Fmt(etaMin)}");
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    /// <summary>Epochs of one half cosine period.</summary>
    public int TMax { get; }

    /// <summary>The lowest learning rate.</summary>
    public double EtaMin { get; }

    private protected override double LrAt(int epoch, double baseLr) => Cosine(epoch, TMax, baseLr, EtaMin);

    internal static double Cosine(int epoch, int tMax, double baseLr, double etaMin) =>
        etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * epoch / tMax)) / 2;
}
