// Gives more steps to the tasks furthest below their reference: p_k ∝ exp(gap_k / τ), updated after each validation.
using Mtl.NN;

namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="LaggingScheduler"/>.</summary>
public sealed record LaggingOptions
{
    /// <summary>
    /// The temperature τ &gt; 0 in pₖ ∝ exp(gapₖ/τ). With the default 0.1 a task 10 % below its reference is drawn
    /// e ≈ 2.7 times as often as a task on par with its reference; large τ approaches uniform sampling.
    /// </summary>
    public double Tau { get; init; } = 0.1;

    /// <summary>Seed of the per-epoch sampling generators.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// <c>lagging</c>: "lagging task first". Each step goes to task k with probability pₖ ∝ exp(gapₖ/τ), where gapₖ is the
/// relative shortfall of task k's primary validation metric against its reference (<see cref="TaskShortfall"/>: the
/// trainer's <see cref="Training.TrainerOptions.ReferenceMetrics"/>, e.g. single-task baselines; without them the first
/// validation epoch). The gaps are updated after every validation and used from the next epoch on; before the first
/// validation (or without validation data) sampling is uniform. The form follows the adaptive "A5C" sampler of
/// Sharma, Jha, Hegde and Ravindran, "Learning to Multi-Task by Active Sampling", ICLR 2018, with mₖ = gapₖ.
/// The gaps are part of the saved state, so a resumed run samples as the uninterrupted one.
/// </summary>
public sealed class LaggingScheduler : SamplingScheduler
{
    private double[] _gaps = [];
    private bool _observed;

    /// <summary>A lagging-task scheduler; τ must be finite and &gt; 0.</summary>
    public LaggingScheduler(LaggingOptions options) : base("lagging", (options ?? throw new ArgumentNullException(nameof(options))).Seed)
    {
        if (!(options.Tau > 0) || double.IsInfinity(options.Tau))
            throw new ArgumentOutOfRangeException(nameof(options), options.Tau, "lagging: Tau must be finite and > 0");
        Tau = options.Tau;
    }

    /// <summary>With default options (τ = 0.1).</summary>
    public LaggingScheduler() : this(new LaggingOptions()) { }

    /// <summary>The temperature τ.</summary>
    public double Tau { get; }

    /// <summary>The gaps of the last validation in bound task order (empty before the first).</summary>
    public IReadOnlyList<double> Gaps => _observed ? _gaps : [];

    /// <inheritdoc/>
    protected override void OnBind(SchedulingContext context)
    {
        _gaps = new double[context.Tasks.Count];
        _observed = false;
    }

    /// <inheritdoc/>
    public override void Observe(ValidationFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var tasks = Context.Tasks;
        var gaps = new double[tasks.Count];
        for (int k = 0; k < tasks.Count; k++)
        {
            if (!feedback.Shortfall.TryGetValue(tasks[k].Name, out double gap))
                throw new ArgumentException($"task scheduler '{Name}': the validation feedback has no shortfall for task '{tasks[k].Name}'");
            if (!double.IsFinite(gap))
                throw new ArgumentException($"task scheduler '{Name}': task '{tasks[k].Name}' has a non-finite shortfall {gap} against its reference");
            gaps[k] = gap;
        }
        _gaps = gaps;
        _observed = true;
    }

    /// <inheritdoc/>
    protected override void Weights(int epoch, Span<double> weights)
    {
        if (!_observed)
        {
            weights.Fill(1);
            return;
        }
        double max = _gaps.Max();                  // exp((gap − max)/τ) ∈ (0, 1]: no overflow, same normalised p
        for (int k = 0; k < weights.Length; k++) weights[k] = Math.Exp((_gaps[k] - max) / Tau);
    }

    /// <inheritdoc/>
    protected override void WriteState(StateDict state)
    {
        base.WriteState(state);
        state.Values["observed"] = _observed ? "1" : "0";
        state.Values["gaps"] = Format(_gaps);
    }

    /// <inheritdoc/>
    protected override void ReadState(StateDict state)
    {
        base.ReadState(state);
        _observed = Get(state, "observed") == "1";
        _gaps = Parse(Get(state, "gaps"), TaskCount, "gaps");
    }
}
