// Decay at given milestones: multiply the learning rate by gamma at each (torch.optim.lr_scheduler.MultiStepLR).
namespace Mtl.NN.Optim;

/// <summary>
/// lr = base · gamma^(number of milestones ≤ epoch), as torch.optim.lr_scheduler.MultiStepLR (a milestone given twice
/// decays twice, like PyTorch's Counter).
/// </summary>
public sealed class MultiStepLR : LrScheduler
{
    private readonly int[] _milestones;

    /// <summary>Decays by <paramref name="gamma"/> (≥ 0) at each of the non-decreasing, non-negative <paramref name="milestones"/>.</summary>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = milestones.ToArray();
        Require(_milestones.All(m => m >= 0), $"milestones must be >= 0, got [{string.Join(", ", _milestones)}]");
        for (int i = 1; i < _milestones.Length; i++)
            Require(_milestones[i] >= _milestones[i - 1], $"milestones must be increasing, got [{string.Join(", ", _milestones)}]");
        Require(gamma >= 0 && double.IsFinite(gamma), $"gamma must be finite and >= 0, got {Fmt(gamma)}");
        Gamma = gamma;
        Start();
    }

    /// <summary>The milestones, in order.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    private protected override double LrAt(int epoch, double baseLr)
    {
        int passed = 0;
        while (passed < _milestones.Length && _milestones[passed] <= epoch) passed++;
        return baseLr * Math.Pow(Gamma, passed);
    }
}
