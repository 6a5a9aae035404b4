// ExcessMTL (He et al. 2024): weight tasks by exponentiated gradient on their estimated excess risks (distance to convergence).
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="ExcessMtl"/>.</summary>
public sealed record ExcessMtlOptions
{
    /// <summary>η_α: step size of the exponentiated-gradient update of the weights (LibMTL <c>robust_step_size</c> 1e-2).</summary>
    public double RobustStepSize { get; init; } = 1e-2;

    /// <summary>
    /// Epochs (by <see cref="StrategyStep.Epoch"/>) during which the weights stay 1 while the excess risks are averaged
    /// into the normalising baseline. 0 (the authors' code and LibMTL) takes the first call's excess risks as the
    /// baseline; the paper's Appendix C.1 collects them for 3 epochs.
    /// </summary>
    public int WarmupEpochs { get; init; }
}

/// <summary>
/// ExcessMTL — He, Zhou, Zhang, Yun, Xu, Zeng, Chilimbi and Zhao, "Robust Multi-Task Learning with Excess Risks",
/// ICML 2024. Loss-based weighting over-weights noisy tasks (their Bayes error is large); ExcessMTL weights a task by
/// its excess risk, its distance to convergence, estimated by a second-order Taylor expansion with a diagonal Hessian
/// approximated AdaGrad-style from the accumulated squared gradients:
/// <code>
/// sₖ ← sₖ + gₖ⊙gₖ,   hₖ = √(sₖ + 1e-7),   εₖ = Σⱼ gₖⱼ² / hₖⱼ          (per parameter j)
/// wₖ ← wₖ·exp(η·εₖ/ε⁰ₖ),   then w ← K·w / Σw                         (combined = Σ wₖgₖ)
/// </code>
/// ε⁰ is the baseline that makes the tasks comparable: the first call's ε (the authors' code, LibMTL), or their mean
/// over the first <see cref="ExcessMtlOptions.WarmupEpochs"/> epochs (the paper's appendix); the weights stay 1 until
/// it is fixed. A task whose baseline is 0 (a zero gradient) gets ratio 0. The weights sum to K as in the authors' code
/// (the paper normalises to 1 — the same direction, K times the step). The result is wᵀG exactly (weights reported).
/// State: the accumulated squares (K×P, allocated on the first call and saved whole), w, ε⁰ and the warm-up sums.
/// Not defined on representation gradients here (per-sample rows change every batch).
/// </summary>
public sealed class ExcessMtl : BalancingStrategy
{
    private readonly ExcessMtlOptions _options;
    private GradientMatrix? _squares;
    private double[] _weights = [], _baseline = [], _warmupSum = [];
    private long _warmupCalls;
    private bool _baselineFixed;

    public ExcessMtl(ExcessMtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.RobustStepSize) || options.RobustStepSize < 0)
            throw new ArgumentException($"strategy 'excessmtl': RobustStepSize must be finite and ≥ 0, got {options.RobustStepSize}");
        if (options.WarmupEpochs < 0) throw new ArgumentException($"strategy 'excessmtl': WarmupEpochs must be ≥ 0, got {options.WarmupEpochs}");
        _options = options;
    }

    public override bool NeedsGradients => true;

    protected override void Initialize(int tasks)
    {
        _weights = new double[tasks];
        Array.Fill(_weights, 1.0);
        _baseline = new double[tasks];
        _warmupSum = new double[tasks];
        _warmupCalls = 0;
        _baselineFixed = false;
        _squares = null;
    }

    protected override void OnReset()
    {
        _weights = _baseline = _warmupSum = [];
        _squares = null;
        _warmupCalls = 0;
        _baselineFixed = false;
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        if (_squares is null) _squares = new GradientMatrix(k, gradients.Size);
        else if (_squares.Size != gradients.Size)
            throw new ArgumentException($"strategy '{Name}' accumulates gradients of length {_squares.Size} and is now given {gradients.Size}; call Reset() to start over");

        var excess = new double[k];
        for (int t = 0; t < k; t++) excess[t] = ExcessRisk(gradients.Row(t), _squares.Row(t));

        if (_baselineFixed) Update(excess);
        else if (step.Epoch < _options.WarmupEpochs)
        {
            for (int t = 0; t < k; t++) _warmupSum[t] += excess[t];
            _warmupCalls++;
        }
        else
        {
            // The first call past the warm-up fixes the baseline: the warm-up's mean, and then already updates the
            // weights; without a warm-up (the authors' code) this call's own risks, and no update yet.
            bool averaged = _warmupCalls > 0;
            for (int t = 0; t < k; t++) _baseline[t] = averaged ? _warmupSum[t] / _warmupCalls : excess[t];
            _baselineFixed = true;
            if (averaged) Update(excess);
        }

        _weights.CopyTo(weights);
        gradients.WeightedSum(weights, combined);
        return true;
    }

    // wₖ ← wₖ·exp(η·εₖ/ε⁰ₖ), renormalised to sum K.
    private void Update(double[] excess)
    {
        int k = _weights.Length;
        double sum = 0;
        for (int t = 0; t < k; t++)
        {
            double ratio = _baseline[t] > 0 ? excess[t] / _baseline[t] : 0;
            _weights[t] *= Math.Exp(_options.RobustStepSize * ratio);
            sum += _weights[t];
        }
        for (int t = 0; t < k; t++) _weights[t] = _weights[t] / sum * k;
    }

    // Adds g⊙g to the running squares s and returns Σ g²/√(s + 1e-7) (the Taylor estimate of the excess risk).
    private static double ExcessRisk(ReadOnlySpan<double> g, Span<double> squares)
    {
        double risk = 0;
        for (int j = 0; j < g.Length; j++)
        {
            double g2 = g[j] * g[j];
            double s = squares[j] + g2;
            squares[j] = s;
            risk += g2 / Math.Sqrt(s + 1e-7);
        }
        return risk;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("weights", _weights);
        state.Set("baseline", _baseline);
        state.Set("warmup_sum", _warmupSum);
        state.Set("warmup_calls", _warmupCalls);
        state.Set("baseline_fixed", _baselineFixed ? 1 : 0);
        state.Set("size", _squares?.Size ?? -1);
        if (_squares is not null) state.Set("squares", _squares.Data);
    }

    protected override void ReadState(StrategyState state)
    {
        _weights = state.GetArray("weights", Tasks);
        _baseline = state.GetArray("baseline", Tasks);
        _warmupSum = state.GetArray("warmup_sum", Tasks);
        _warmupCalls = checked((long)state.GetNumber("warmup_calls"));
        _baselineFixed = state.GetNumber("baseline_fixed") != 0;
        int size = checked((int)state.GetNumber("size"));
        if (size < 0) return;
        _squares = new GradientMatrix(Tasks, size);
        var data = state.GetArray("squares", Tasks * size);
        for (int t = 0; t < Tasks; t++) data.AsSpan(t * size, size).CopyTo(_squares.Row(t));
    }
}
