// The learning-rate schedule base: base learning rates, the epoch counter, a closed-form lr per epoch, state dicts.
using System.Globalization;

namespace Mtl.NN.Optim;

/// <summary>
/// Base of the learning-rate schedules, after <c>torch.optim.lr_scheduler._LRScheduler</c>. A schedule is a closed-form
/// function of the epoch (or iteration) counter and each group's base learning rate — the group's
/// <see cref="OptimizerGroup.InitialLr"/>, which the first schedule attached to an optimiser sets from its lr.
/// Creating a schedule sets epoch 0's learning rates; each <see cref="Step"/> (call it after
/// <see cref="Optimizer.Step"/>, once per epoch or once per iteration) advances the counter and sets the next ones.
/// Values equal PyTorch's recursive (chainable) forms when the schedule alone drives the learning rate.
/// </summary>
public abstract class LrScheduler : IStateful
{
    private double[] _baseLrs = [];
    private double[] _lastLr = [];

    /// <summary>Attaches to <paramref name="optimizer"/>; the subclass validates its arguments, then calls <see cref="Start"/>.</summary>
    private protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
    }

    /// <summary>The optimiser whose learning rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule's name, used in messages and state dicts ("StepLR").</summary>
    public string Name => GetType().Name;

    /// <summary>The epoch (or iteration) counter: 0 after construction, +1 per <see cref="Step"/>.</summary>
    public int LastEpoch { get; private set; } = -1;

    /// <summary>The base learning rate of each group.</summary>
    public IReadOnlyList<double> BaseLrs => _baseLrs;

    /// <summary>The learning rate of each group as last set by this schedule.</summary>
    public IReadOnlyList<double> LastLr => _lastLr;

    /// <summary>The learning rate at <paramref name="epoch"/> (≥ 0) for a group with base rate <paramref name="baseLr"/>.</summary>
    private protected abstract double LrAt(int epoch, double baseLr);

    /// <summary>The learning rate at <paramref name="epoch"/> for base rate <paramref name="baseLr"/> (for <see cref="SequentialLR"/>).</summary>
    internal double LrAtBase(int epoch, double baseLr) => LrAt(epoch, baseLr);

    /// <summary>Records base learning rates and applies epoch 0 (the end of every subclass constructor).</summary>
    private protected void Start()
    {
        var groups = Optimizer.ParamGroups;
        _baseLrs = new double[groups.Count];
        _lastLr = new double[groups.Count];
        for (int g = 0; g < groups.Count; g++) _baseLrs[g] = groups[g].InitialLr ??= groups[g].Lr;
        Step();
    }

    /// <summary>Advances the counter by one and sets every group's learning rate for the new epoch.</summary>
    public void Step()
    {
        var groups = Optimizer.ParamGroups;
        if (groups.Count != _baseLrs.Length)
            throw new InvalidOperationException($"{Name}: the optimizer now has {groups.Count} param groups, the schedule was made for {_baseLrs.Length}");
        LastEpoch++;
        for (int g = 0; g < groups.Count; g++) groups[g].Lr = _lastLr[g] = LrAt(LastEpoch, _baseLrs[g]);
    }

    /// <summary>
    /// The schedule's progress: values <c>scheduler</c> (the name), <c>last_epoch</c>, <c>base_lr.{g}</c> and
    /// <c>last_lr.{g}</c>. Hyper-parameters (step sizes, milestones, ...) come from the constructor, not the state dict.
    /// </summary>
    public StateDict StateDict()
    {
        var sd = new StateDict();
        sd.Values["scheduler"] = Name;
        OptionIO.Write(sd.Values, "last_epoch", (long)LastEpoch);
        for (int g = 0; g < _baseLrs.Length; g++)
        {
            OptionIO.Write(sd.Values, $"base_lr.{g}", _baseLrs[g]);
            OptionIO.Write(sd.Values, $"last_lr.{g}", _lastLr[g]);
        }
        return sd;
    }

    /// <summary>
    /// Restores a snapshot of the same schedule type with the same number of groups (validated first; nothing changes on
    /// error) and sets the groups' learning rates to the saved last ones, so the load order relative to the
    /// optimiser's does not matter.
    /// </summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var errors = new List<string>();
        var v = state.Values;
        if (!v.TryGetValue("scheduler", out var name) || name != Name)
            throw new ArgumentException($"{Name}.LoadStateDict: the state dict is for scheduler '{name ?? "(none)"}', not '{Name}'");
        int n = _baseLrs.Length;
        long epoch = 0;
        if (!v.TryGetValue("last_epoch", out var s) || !OptionIO.TryParse(s, out epoch) || epoch < 0 || epoch > int.MaxValue)
            errors.Add($"'last_epoch' = '{s ?? "(missing)"}' is not an epoch >= 0");
        var baseLrs = new double[n];
        var lastLr = new double[n];
        for (int g = 0; g < n; g++)
        {
            ReadLr(v, $"base_lr.{g}", errors, out baseLrs[g]);
            ReadLr(v, $"last_lr.{g}", errors, out lastLr[g]);
        }
        var expected = new HashSet<string>(StringComparer.Ordinal) { "scheduler", "last_epoch" };
        for (int g = 0; g < n; g++) { expected.Add($"base_lr.{g}"); expected.Add($"last_lr.{g}"); }
        foreach (var key in v.Keys) if (!expected.Contains(key)) errors.Add($"unexpected value '{key}' (the schedule has {n} param groups)");
        foreach (var key in state.Keys) errors.Add($"unexpected tensor '{key}'");
        if (errors.Count > 0) throw new ArgumentException($"{Name}.LoadStateDict failed; nothing was loaded:\n  " + string.Join("\n  ", errors));
        if (Optimizer.ParamGroups.Count != n)
            throw new InvalidOperationException($"{Name}: the optimizer now has {Optimizer.ParamGroups.Count} param groups, the schedule was made for {n}");
        LastEpoch = (int)epoch;
        _baseLrs = baseLrs;
        _lastLr = lastLr;
        for (int g = 0; g < n; g++) Optimizer.ParamGroups[g].Lr = lastLr[g];
    }

    internal static void ReadLr(IReadOnlyDictionary<string, string> v, string key, List<string> errors, out double lr)
    {
        lr = 0;
        if (!v.TryGetValue(key, out var s)) errors.Add($"missing value '{key}'");
        else if (!OptionIO.TryParse(s, out lr) || !(lr >= 0) || double.IsInfinity(lr)) errors.Add($"'{key}' = '{s}' is not a learning rate");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the schedule when <paramref name="ok"/> is false.</summary>
    private protected void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException($"{Name}: {message}");
    }

    /// <summary>A number for messages.</summary>
    private protected static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
