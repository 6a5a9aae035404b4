// Adam for the few numbers a loss-weighting strategy learns itself (UW's log-variances, FAMO's logits, GradNorm's weights).
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// Adam (Kingma and Ba, 2015) on a small float64 vector, with torch.optim.Adam's semantics: weight decay γ is an L2
/// term added to the gradient, and x −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε). On the first step (and whenever
/// the gradient has kept its value) each entry moves by lr·sign(g) up to ε. The moments and the step count are state
/// (<see cref="Write"/>/<see cref="Read"/>), so a strategy that owns one continues bit for bit after a checkpoint.
/// </summary>
internal sealed class StrategyAdam
{
    private readonly double _lr, _weightDecay, _beta1, _beta2, _eps;
    private double[] _m = [], _v = [];
    private long _step;

    public StrategyAdam(double lr, double weightDecay = 0, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _lr = lr;
        _weightDecay = weightDecay;
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
    }

    /// <summary>Steps taken since the last <see cref="Reset"/>.</summary>
    public long Steps => _step;

    /// <summary>Forgets the moments and sizes them for <paramref name="size"/> values.</summary>
    public void Reset(int size)
    {
        _m = new double[size];
        _v = new double[size];
        _step = 0;
    }

    /// <summary>One descent step on <paramref name="x"/> along <paramref name="grad"/> (plus γ·x).</summary>
    public void Step(Span<double> x, ReadOnlySpan<double> grad)
    {
        if (x.Length != _m.Length || grad.Length != _m.Length)
            throw new ArgumentException($"StrategyAdam: sized for {_m.Length} values, given {x.Length} values and {grad.Length} gradients");
        _step++;
        double correction1 = 1 - Math.Pow(_beta1, _step);
        double root2 = Math.Sqrt(1 - Math.Pow(_beta2, _step));
        for (int i = 0; i < x.Length; i++)
        {
            double g = grad[i] + _weightDecay * x[i];
            _m[i] = _beta1 * _m[i] + (1 - _beta1) * g;
            _v[i] = _beta2 * _v[i] + (1 - _beta2) * g * g;
            x[i] -= _lr / correction1 * _m[i] / (Math.Sqrt(_v[i]) / root2 + _eps);
        }
    }

    /// <summary>Saves the moments and step count under <paramref name="prefix"/>.</summary>
    public void Write(StrategyState state, string prefix)
    {
        state.Set(prefix + ".m", _m);
        state.Set(prefix + ".v", _v);
        state.Set(prefix + ".step", _step);
    }

    /// <summary>Restores what <see cref="Write"/> saved (sized by the last <see cref="Reset"/>).</summary>
    public void Read(StrategyState state, string prefix)
    {
        _m = state.GetArray(prefix + ".m", _m.Length);
        _v = state.GetArray(prefix + ".v", _v.Length);
        _step = checked((long)state.GetNumber(prefix + ".step"));
    }
}
