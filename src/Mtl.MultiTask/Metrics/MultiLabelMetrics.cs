// Multi-label metrics (one logit per label, label present when the logit is positive): Hamming accuracy and label macro-F1.
namespace Mtl.MultiTask.Metrics;

/// <summary>Reads multi-label logits (B, L) and 0/1 targets (B, L) into per-row label decisions.</summary>
internal static class MultiLabelInputs
{
    /// <summary>Predicted (logit &gt; 0) and true (target ≥ 0.5) labels, row-major over the kept rows, and the label count.</summary>
    public static (bool[] Predicted, bool[] Target, int Labels) Read(string metric, Tensor logits, Tensor target, Tensor? mask)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{metric}: predictions must be multi-label logits (B, L), got {logits.ShapeString}");
        var (p, t, w) = MetricInputs.Values(metric, logits, target, mask);
        var pred = new bool[p.Length];
        var tgt = new bool[t.Length];
        for (int i = 0; i < p.Length; i++)
        {
            if (t[i] is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(target), $"{metric}: target {t[i]} at flat position {i} is not 0 or 1");
            pred[i] = p[i] > 0;
            tgt[i] = t[i] >= 0.5;
        }
        return (pred, tgt, w);
    }
}

/// <summary>Fraction of (sample, label) decisions that are right (1 − Hamming loss).</summary>
public sealed class HammingAccuracy : IMetric
{
    private long _right, _total;

    public string Name => "hamming_accuracy";
    public bool HigherIsBetter => true;

    public void Reset() => (_right, _total) = (0, 0);

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t, _) = MultiLabelInputs.Read(Name, prediction, target, mask);
        for (int i = 0; i < p.Length; i++) if (p[i] == t[i]) _right++;
        _total += p.Length;
    }

    public double Compute() => _total == 0 ? double.NaN : (double)_right / _total;
}

/// <summary>
/// Macro-F1 over labels: each label's binary F1 = 2·TP/(2·TP + FP + FN), averaged over the labels that occur in the
/// targets or predictions (scikit-learn's f1_score(average="macro") on indicator matrices, without zero-division labels).
/// </summary>
public sealed class LabelMacroF1 : IMetric
{
    private long[] _tp = [], _fp = [], _fn = [];

    public string Name => "label_macro_f1";
    public bool HigherIsBetter => true;

    public void Reset() => (_tp, _fp, _fn) = ([], [], []);

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t, labels) = MultiLabelInputs.Read(Name, prediction, target, mask);
        if (_tp.Length == 0) (_tp, _fp, _fn) = (new long[labels], new long[labels], new long[labels]);
        else if (_tp.Length != labels) throw new ArgumentException($"{Name}: batch has {labels} labels, earlier batches had {_tp.Length}");
        for (int i = 0; i < p.Length; i++)
        {
            int l = i % labels;
            if (p[i] && t[i]) _tp[l]++;
            else if (p[i]) _fp[l]++;
            else if (t[i]) _fn[l]++;
        }
    }

    public double Compute()
    {
        double sum = 0;
        int n = 0;
        for (int l = 0; l < _tp.Length; l++)
        {
            long d = 2 * _tp[l] + _fp[l] + _fn[l];
            if (d == 0) continue;
            sum += 2.0 * _tp[l] / d;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }
}
