// Runs schedules one after another, switching at milestones (torch.optim.lr_scheduler.SequentialLR).
namespace Mtl.NN.Optim;

/// <summary>
/// Uses schedule k from milestone k−1 (or 0) until milestone k, restarting its own counter at 0 on the switch, as
/// torch.optim.lr_scheduler.SequentialLR; e.g. a <see cref="LinearWarmup"/> for 5 epochs, then a
/// <see cref="CosineAnnealingLR"/>. The children only supply their formulas: step this schedule, not them.
/// </summary>
public sealed class SequentialLR : LrScheduler
{
    private readonly LrScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>
    /// Chains <paramref name="schedulers"/> (all on <paramref name="optimizer"/>), switching at the increasing, positive
    /// <paramref name="milestones"/> (one fewer than schedules).
    /// </summary>
    public SequentialLR(Optimizer optimizer, IEnumerable<LrScheduler> schedulers, IEnumerable<int> milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        _schedulers = schedulers.ToArray();
        _milestones = milestones.ToArray();
        Require(_schedulers.Length > 0, "needs at least one schedule");
        for (int i = 0; i < _schedulers.Length; i++)
            Require(ReferenceEquals(_schedulers[i].Optimizer, optimizer), $"schedule {i} ({_schedulers[i].Name}) belongs to a different optimizer");
        Require(_milestones.Length == _schedulers.Length - 1,
            $"expects one milestone fewer than schedules, got {_schedulers.Length} schedules and {_milestones.Length} milestones");
        for (int i = 0; i < _milestones.Length; i++)
            Require(_milestones[i] > 0 && (i == 0 || _milestones[i] > _milestones[i - 1]),
                $"milestones must be positive and increasing, got [{string.Join(", ", _milestones)}]");
        Start();
    }

    /// <summary>The chained schedules.</summary>
    public IReadOnlyList<LrScheduler> Schedulers => _schedulers;

    /// <summary>The epochs at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    private protected override double LrAt(int epoch, double baseLr)
    {
        int k = 0;
        while (k < _milestones.Length && _milestones[k] <= epoch) k++;
        int local = k == 0 ? epoch : epoch - _milestones[k - 1];
        return _schedulers[k].LrAtBase(local, baseLr);
    }
}
