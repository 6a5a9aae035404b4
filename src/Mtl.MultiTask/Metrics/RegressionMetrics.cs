// Regression metrics accumulated over batches: mean squared error, mean absolute error and R² per output, averaged.
namespace Mtl.MultiTask.Metrics;

/// <summary>Mean of (prediction − target)² over all labelled values.</summary>
public sealed class MeanSquaredError : IMetric
{
    private double _sum;
    private long _count;

    public string Name => "mse";
    public bool HigherIsBetter => false;
    public void Reset() => (_sum, _count) = (0, 0);

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t, _) = MetricInputs.Values(Name, prediction, target, mask);
        for (int i = 0; i < p.Length; i++) _sum += (p[i] - t[i]) * (p[i] - t[i]);
        _count += p.Length;
    }

    public double Compute() => _count == 0 ? double.NaN : _sum / _count;
}

/// <summary>Mean of |prediction − target| over all labelled values.</summary>
public sealed class MeanAbsoluteError : IMetric
{
    private double _sum;
    private long _count;

    public string Name => "mae";
    public bool HigherIsBetter => false;
    public void Reset() => (_sum, _count) = (0, 0);

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t, _) = MetricInputs.Values(Name, prediction, target, mask);
        for (int i = 0; i < p.Length; i++) _sum += Math.Abs(p[i] - t[i]);
        _count += p.Length;
    }

    public double Compute() => _count == 0 ? double.NaN : _sum / _count;
}

/// <summary>
/// Coefficient of determination R² = 1 − SS_res/SS_tot, computed per output column and averaged uniformly (as
/// scikit-learn's r2_score default). Streaming: keeps Σy, Σy², Σ(y − ŷ)² and the count per output.
/// </summary>
public sealed class RSquared : IMetric
{
    private double[] _sumY = [], _sumY2 = [], _sumRes = [];
    private long _count;

    public string Name => "r2";
    public bool HigherIsBetter => true;

    public void Reset()
    {
        (_sumY, _sumY2, _sumRes) = ([], [], []);
        _count = 0;
    }

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t, w) = MetricInputs.Values(Name, prediction, target, mask);
        if (_sumY.Length == 0) (_sumY, _sumY2, _sumRes) = (new double[w], new double[w], new double[w]);
        else if (_sumY.Length != w) throw new ArgumentException($"r2: batch has {w} outputs per sample, earlier batches had {_sumY.Length}");
        for (int i = 0; i < p.Length; i++)
        {
            int j = i % w;
            _sumY[j] += t[i];
            _sumY2[j] += t[i] * t[i];
            _sumRes[j] += (t[i] - p[i]) * (t[i] - p[i]);
        }
        _count += p.Length / w;
    }

    public double Compute()
    {
        if (_count == 0) return double.NaN;
        double total = 0;
        for (int j = 0; j < _sumY.Length; j++)
        {
            double ssTot = _sumY2[j] - _sumY[j] * _sumY[j] / _count;
            total += ssTot <= 0 ? (_sumRes[j] == 0 ? 1 : 0) : 1 - _sumRes[j] / ssTot;
        }
        return total / _sumY.Length;
    }
}
