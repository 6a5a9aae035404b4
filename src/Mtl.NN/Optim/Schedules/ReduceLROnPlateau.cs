// Reduce the learning rate when a monitored metric stops improving (torch.optim.lr_scheduler.ReduceLROnPlateau).
using System.Globalization;

namespace Mtl.NN.Optim;

/// <summary>Whether the monitored metric should go down (a loss) or up (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau.Threshold"/> measures a significant improvement.</summary>
public enum ThresholdMode
{
    /// <summary>Relative: better than best·(1 ∓ threshold).</summary>
    Rel,
    /// <summary>Absolute: better than best ∓ threshold.</summary>
    Abs,
}

/// <summary>
/// Multiplies every group's learning rate by <see cref="Factor"/> (not below its minimum) once the metric passed to
/// <see cref="Step"/> has not improved for more than <see cref="Patience"/> epochs, then waits <see cref="Cooldown"/>
/// epochs before counting again, with torch.optim.lr_scheduler.ReduceLROnPlateau's exact rules (including its
/// <c>eps</c>: changes smaller than it are skipped).
/// </summary>
public sealed class ReduceLROnPlateau : IStateful
{
    private readonly double[] _minLrs;
    private readonly double[] _lastLr;

    /// <summary>
    /// Watches a metric in <paramref name="mode"/>; reduces by <paramref name="factor"/> (in [0, 1)) after more than
    /// <paramref name="patience"/> (≥ 0) bad epochs; an improvement must beat the best by <paramref name="threshold"/>
    /// (≥ 0, in <paramref name="thresholdMode"/>); <paramref name="minLr"/> (≥ 0) is one minimum for all groups or one
    /// per group.
    /// </summary>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, IReadOnlyList<double>? minLr = null, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        int n = optimizer.ParamGroups.Count;
        Require(Enum.IsDefined(mode), $"unknown mode {mode}");
        Require(Enum.IsDefined(thresholdMode), $"unknown threshold mode {thresholdMode}");
        Require(factor >= 0 && factor < 1, $"factor must be in [0, 1), got {Fmt(factor)}");
        Require(patience >= 0, $"patience must be >= 0, got {patience}");
        Require(threshold >= 0 && double.IsFinite(threshold), $"threshold must be finite and >= 0, got {Fmt(threshold)}");
        Require(cooldown >= 0, $"cooldown must be >= 0, got {cooldown}");
        Require(eps >= 0 && double.IsFinite(eps), $"eps must be finite and >= 0, got {Fmt(eps)}");
        var mins = minLr ?? [0.0];
        Require(mins.Count == 1 || mins.Count == n, $"expected 1 or {n} min learning rates, got {mins.Count}");
        Require(mins.All(m => m >= 0 && double.IsFinite(m)), $"min learning rates must be finite and >= 0, got [{string.Join(", ", mins.Select(Fmt))}]");
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        _minLrs = mins.Count == n ? mins.ToArray() : Enumerable.Repeat(mins[0], n).ToArray();
        _lastLr = optimizer.ParamGroups.Select(g => g.Lr).ToArray();
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimiser whose learning rates this schedule reduces.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether lower or higher metrics are better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Multiplier applied to the learning rates on a plateau.</summary>
    public double Factor { get; }

    /// <summary>Bad epochs tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>Size of a significant improvement.</summary>
    public double Threshold { get; }

    /// <summary>Relative or absolute threshold.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Epochs to wait after a reduction before counting bad epochs again.</summary>
    public int Cooldown { get; }

    /// <summary>Reductions smaller than this are skipped.</summary>
    public double Eps { get; }

    /// <summary>Lower bound of each group's learning rate.</summary>
    public IReadOnlyList<double> MinLrs => _minLrs;

    /// <summary>The best metric so far (±∞ before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without significant improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Every group's learning rate after the last step.</summary>
    public IReadOnlyList<double> LastLr => _lastLr;

    /// <summary>Records this epoch's <paramref name="metric"/> and reduces the learning rates if it is on a plateau.</summary>
    public void Step(double metric)
    {
        var groups = Optimizer.ParamGroups;
        if (groups.Count != _minLrs.Length)
            throw new InvalidOperationException($"ReduceLROnPlateau: the optimizer now has {groups.Count} param groups, the schedule was made for {_minLrs.Length}");
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else NumBadEpochs++;
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            for (int g = 0; g < groups.Count; g++)
            {
                double old = groups[g].Lr, lr = Math.Max(old * Factor, _minLrs[g]);
                if (old - lr > Eps) groups[g].Lr = lr;
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        for (int g = 0; g < groups.Count; g++) _lastLr[g] = groups[g].Lr;
    }

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > best * (Threshold + 1),
        _ => a > best + Threshold,
    };

    /// <summary>Values <c>scheduler</c>, <c>best</c>, <c>num_bad_epochs</c>, <c>cooldown_counter</c>, <c>last_epoch</c>, <c>last_lr.{g}</c>.</summary>
    public StateDict StateDict()
    {
        var sd = new StateDict();
        sd.Values["scheduler"] = nameof(ReduceLROnPlateau);
        OptionIO.Write(sd.Values, "best", Best);
        OptionIO.Write(sd.Values, "num_bad_epochs", (long)NumBadEpochs);
        OptionIO.Write(sd.Values, "cooldown_counter", (long)CooldownCounter);
        OptionIO.Write(sd.Values, "last_epoch", (long)LastEpoch);
        for (int g = 0; g < _lastLr.Length; g++) OptionIO.Write(sd.Values, $"last_lr.{g}", _lastLr[g]);
        return sd;
    }

    /// <summary>
    /// Restores the counters and best metric (validated first; nothing changes on error) and sets the groups' learning
    /// rates to the saved last ones. Hyper-parameters come from the constructor.
    /// </summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var v = state.Values;
        if (!v.TryGetValue("scheduler", out var name) || name != nameof(ReduceLROnPlateau))
            throw new ArgumentException($"ReduceLROnPlateau.LoadStateDict: the state dict is for scheduler '{name ?? "(none)"}', not 'ReduceLROnPlateau'");
        var errors = new List<string>();
        double best = 0;
        if (!v.TryGetValue("best", out var s) || !OptionIO.TryParse(s, out best) || double.IsNaN(best))
            errors.Add($"'best' = '{s ?? "(missing)"}' is not a number");
        long bad = Count(v, "num_bad_epochs", errors), cool = Count(v, "cooldown_counter", errors), epoch = Count(v, "last_epoch", errors);
        int n = _lastLr.Length;
        var lrs = new double[n];
        for (int g = 0; g < n; g++) LrScheduler.ReadLr(v, $"last_lr.{g}", errors, out lrs[g]);
        var expected = new HashSet<string>(StringComparer.Ordinal) { "scheduler", "best", "num_bad_epochs", "cooldown_counter", "last_epoch" };
        for (int g = 0; g < n; g++) expected.Add($"last_lr.{g}");
        foreach (var key in v.Keys) if (!expected.Contains(key)) errors.Add($"unexpected value '{key}' (the schedule has {n} param groups)");
        foreach (var key in state.Keys) errors.Add($"unexpected tensor '{key}'");
        if (errors.Count > 0) throw new ArgumentException("ReduceLROnPlateau.LoadStateDict failed; nothing was loaded:\n  " + string.Join("\n  ", errors));
        if (Optimizer.ParamGroups.Count != n)
            throw new InvalidOperationException($"ReduceLROnPlateau: the optimizer now has {Optimizer.ParamGroups.Count} param groups, the schedule was made for {n}");
        Best = best;
        NumBadEpochs = (int)bad;
        CooldownCounter = (int)cool;
        LastEpoch = (int)epoch;
        for (int g = 0; g < n; g++) Optimizer.ParamGroups[g].Lr = _lastLr[g] = lrs[g];
    }

    private static long Count(IReadOnlyDictionary<string, string> v, string key, List<string> errors)
    {
        if (v.TryGetValue(key, out var s) && OptionIO.TryParse(s, out long x) && x >= 0 && x <= int.MaxValue) return x;
        errors.Add($"'{key}' = '{s ?? "(missing)"}' is not a count >= 0");
        return 0;
    }

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException($"ReduceLROnPlateau: {message}");
    }

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
