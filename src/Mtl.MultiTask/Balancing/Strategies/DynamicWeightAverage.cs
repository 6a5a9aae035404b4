// Dynamic Weight Average (Liu, Johns & Davison 2019): weights from how fast each task's epoch-mean loss falls.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="DynamicWeightAverage"/>.</summary>
public sealed record DynamicWeightAverageOptions
{
    /// <summary>The softmax temperature T (paper and LibMTL: 2; larger T = weights closer to 1).</summary>
    public double T { get; init; } = 2.0;
}

/// <summary>
/// Liu, Johns and Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019. With L̄ₖ(e) the mean of task
/// k's step losses over epoch e, the weights in epoch e are wₖ = K·softmaxₖ(r/T) with rₖ = L̄ₖ(e−1)/L̄ₖ(e−2): a task
/// whose loss fell least gets the most weight. The first two epochs use weight 1. The strategy averages the losses
/// itself from <see cref="StrategyStep.Epoch"/> (LibMTL uses its meter's epoch averages, the same plain mean over the
/// steps); "e−1, e−2" are the two most recent epochs that had steps. Epochs must not go back (call Reset to start over).
/// A zero mean loss in the denominator counts as 1e-12. State: the current epoch, its running sums and step count,
/// the last two epoch means and how many epochs have completed.
/// </summary>
public sealed class DynamicWeightAverage : BalancingStrategy
{
    private const double Tiny = 1e-12;
    private readonly double _t;
    private double[] _sum = [], _last = [], _previous = [], _ratio = [];
    private long _count, _epoch = -1, _completed;

    public DynamicWeightAverage(DynamicWeightAverageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _t = LossWeightingMath.Positive("dwa", "T", options.T);
    }

    public override bool NeedsGradients => false;

    protected override void Initialize(int tasks)
    {
        _sum = new double[tasks];
        _last = new double[tasks];
        _previous = new double[tasks];
        _ratio = new double[tasks];
        _count = 0;
        _epoch = -1;
        _completed = 0;
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        LossWeightingMath.RequireNonNegative(Name, step.Losses);
        if (_epoch >= 0 && step.Epoch < _epoch)
            throw new ArgumentException($"strategy '{Name}': epoch {step.Epoch} comes after epoch {_epoch}; call Reset() to start a new run");
        if (step.Epoch > _epoch) CloseEpoch(step.Epoch);
        if (_completed >= 2)
        {
            for (int k = 0; k < _ratio.Length; k++) _ratio[k] = _last[k] / Math.Max(_previous[k], Tiny);
            LossWeightingMath.Softmax(_ratio, weights, 1 / _t);
            for (int k = 0; k < weights.Length; k++) weights[k] *= weights.Length;
        }
        else weights.Fill(1.0);
        for (int k = 0; k < _sum.Length; k++) _sum[k] += step.Losses[k];
        _count++;
    }

    // Ends the running epoch (its mean becomes the latest epoch mean) and starts accumulating `epoch`.
    private void CloseEpoch(int epoch)
    {
        if (_count > 0)
        {
            (_previous, _last) = (_last, _previous);
            for (int k = 0; k < _sum.Length; k++) _last[k] = _sum[k] / _count;
            _completed++;
        }
        Array.Clear(_sum);
        _count = 0;
        _epoch = epoch;
    }

    protected override void OnReset() => Initialize(0);

    protected override void WriteState(StrategyState state)
    {
        state.Set("epoch", _epoch);
        state.Set("epoch_sums", _sum);
        state.Set("epoch_steps", _count);
        state.Set("last_means", _last);
        state.Set("previous_means", _previous);
        state.Set("completed_epochs", _completed);
    }

    protected override void ReadState(StrategyState state)
    {
        _epoch = checked((long)state.GetNumber("epoch"));
        _sum = state.GetArray("epoch_sums", Tasks);
        _count = checked((long)state.GetNumber("epoch_steps"));
        _last = state.GetArray("last_means", Tasks);
        _previous = state.GetArray("previous_means", Tasks);
        _completed = checked((long)state.GetNumber("completed_epochs"));
    }
}
