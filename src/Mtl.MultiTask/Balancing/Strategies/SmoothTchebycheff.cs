// Smooth Tchebycheff scalarisation (Lin et al. 2024): μ·log Σ exp(pₖ(fₖ − zₖ)/μ) on nadir-normalised log losses.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="SmoothTchebycheff"/>.</summary>
public sealed record SmoothTchebycheffOptions
{
    /// <summary>Smoothing μ &gt; 0 (μ → 0 gives the plain Tchebycheff max): 1, the official code's and LibMTL's default.</summary>
    public double Mu { get; init; } = 1.0;

    /// <summary>
    /// Epochs of the scale-invariant warm-up (Σ log Lₖ) before the scalarisation; the mean losses of epoch
    /// <c>WarmupEpochs</c> (0-based) become the nadir point. 4, the official code's and LibMTL's default.
    /// </summary>
    public int WarmupEpochs { get; init; } = 4;

    /// <summary>Preference pₖ &gt; 0 per task, in task order (null = 1 for every task, as the official MTL code).</summary>
    public IReadOnlyList<double>? Preferences { get; init; }

    /// <summary>Ideal point zₖ per task in the normalised log-loss objectives fₖ (null = 0 for every task, as the official code).</summary>
    public IReadOnlyList<double>? Ideal { get; init; }
}

/// <summary>
/// Lin, Zhang, Yang, Liu, Wang and Zhang, "Smooth Tchebycheff Scalarization for Multi-Objective Optimization", ICML 2024,
/// in the form of its official multi-task code (STCH_MTL, adopted by LibMTL):
/// <list type="bullet">
/// <item>epochs &lt; W (<see cref="SmoothTchebycheffOptions.WarmupEpochs"/>): minimise Σ log(Lₖ + 1e-20), weights 1/(Lₖ + 1e-20);</item>
/// <item>epoch W: the same, while averaging the step losses into the nadir point nₖ;</item>
/// <item>later epochs: with fₖ = log(Lₖ/nₖ + 1e-20), minimise K·μ·log Σₖ exp(pₖ(fₖ − zₖ)/μ). Its gradient gives the
/// loss weights wₖ = K·sₖ·pₖ/(Lₖ + 1e-20·nₖ) with s = softmax(p∘(f − z)/μ): most weight on the task furthest above its
/// nadir, smoothly.</item>
/// </list>
/// When a run enters the scalarisation phase without having seen epoch W (a fresh strategy started late), the first
/// losses seen there become the nadir point. Losses must be ≥ 0. State: the warm-up sums and count, and the nadir point.
/// </summary>
public sealed class SmoothTchebycheff : BalancingStrategy
{
    private const double Tiny = 1e-20;   // the official code's guard inside the logarithms
    private readonly double _mu;
    private readonly int _warmup;
    private readonly double[]? _preferences, _ideal;
    private double[] _sum = [], _nadir = [], _logit = [];
    private long _count;
    private bool _hasNadir;

    public SmoothTchebycheff(SmoothTchebycheffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _mu = LossWeightingMath.Positive("stch", "Mu", options.Mu);
        _warmup = options.WarmupEpochs >= 0 ? options.WarmupEpochs
            : throw new ArgumentException($"strategy 'stch': WarmupEpochs must be ≥ 0, got {options.WarmupEpochs}");
        if (options.Preferences is { } p)
        {
            foreach (var x in p) LossWeightingMath.Positive("stch", "each preference", x);
            _preferences = p.ToArray();
        }
        if (options.Ideal is { } z)
        {
            foreach (var x in z)
                if (!double.IsFinite(x)) throw new ArgumentException($"strategy 'stch': the ideal point must be finite, got [{string.Join(", ", z)}]");
            _ideal = z.ToArray();
        }
    }

    /// <summary>The nadir point nₖ (mean losses of the last warm-up epoch), or null while it is not fixed yet.</summary>
    public IReadOnlyList<double>? Nadir => _hasNadir ? _nadir : null;

    public override bool NeedsGradients => false;

    protected override void Initialize(int tasks)
    {
        if (_preferences is not null && _preferences.Length != tasks)
            throw new ArgumentException($"strategy 'stch': {_preferences.Length} preferences given for {tasks} tasks");
        if (_ideal is not null && _ideal.Length != tasks)
            throw new ArgumentException($"strategy 'stch': an ideal point of {_ideal.Length} values given for {tasks} tasks");
        _sum = new double[tasks];
        _nadir = new double[tasks];
        _logit = new double[tasks];
        _count = 0;
        _hasNadir = false;
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        var losses = step.Losses;
        LossWeightingMath.RequireNonNegative(Name, losses);
        int k = weights.Length;
        if (step.Epoch <= _warmup)
        {
            for (int i = 0; i < k; i++) weights[i] = 1 / (losses[i] + Tiny);
            if (step.Epoch == _warmup && !_hasNadir)
            {
                for (int i = 0; i < k; i++) _sum[i] += losses[i];
                _count++;
            }
            return;
        }
        if (!_hasNadir)
        {
            for (int i = 0; i < k; i++) _nadir[i] = Math.Max(_count > 0 ? _sum[i] / _count : losses[i], Tiny);
            _hasNadir = true;
        }
        for (int i = 0; i < k; i++)
        {
            double f = Math.Log(losses[i] / _nadir[i] + Tiny);
            _logit[i] = Preference(i) * (f - (_ideal?[i] ?? 0));
        }
        LossWeightingMath.Softmax(_logit, weights, 1 / _mu);
        for (int i = 0; i < k; i++) weights[i] *= k * Preference(i) / (losses[i] + Tiny * _nadir[i]);
    }

    private double Preference(int k) => _preferences?[k] ?? 1.0;

    protected override void OnReset()
    {
        _sum = _nadir = _logit = [];
        _count = 0;
        _hasNadir = false;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("warmup_sums", _sum);
        state.Set("warmup_steps", _count);
        state.Set("has_nadir", _hasNadir ? 1 : 0);
        state.Set("nadir", _nadir);
    }

    protected override void ReadState(StrategyState state)
    {
        _sum = state.GetArray("warmup_sums", Tasks);
        _count = checked((long)state.GetNumber("warmup_steps"));
        _hasNadir = state.GetNumber("has_nadir") != 0;
        _nadir = state.GetArray("nadir", Tasks);
    }
}
