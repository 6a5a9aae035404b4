// Classification metrics accumulated over batches: accuracy, macro-F1 (from a confusion count) and binary ROC AUC.
namespace Mtl.MultiTask.Metrics;

/// <summary>Fraction of samples whose arg-max class equals the target.</summary>
public sealed class Accuracy : IMetric
{
    private long _correct, _total;

    public string Name => "accuracy";
    public bool HigherIsBetter => true;

    public void Reset() => (_correct, _total) = (0, 0);

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t) = MetricInputs.Classes(Name, prediction, target, mask);
        for (int i = 0; i < p.Length; i++) if (p[i] == t[i]) _correct++;
        _total += p.Length;
    }

    public double Compute() => _total == 0 ? double.NaN : (double)_correct / _total;
}

/// <summary>
/// Macro-averaged F1: F1_c = 2·TP/(2·TP + FP + FN) per class, averaged over the classes that occur in the targets or
/// the predictions (as scikit-learn's f1_score(average="macro") over the labels seen).
/// </summary>
public sealed class MacroF1 : IMetric
{
    private readonly Dictionary<int, (long Tp, long Fp, long Fn)> _counts = new();

    public string Name => "macro_f1";
    public bool HigherIsBetter => true;

    public void Reset() => _counts.Clear();

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        var (p, t) = MetricInputs.Classes(Name, prediction, target, mask);
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == t[i]) Bump(t[i], tp: 1);
            else
            {
                Bump(p[i], fp: 1);
                Bump(t[i], fn: 1);
            }
        }
    }

    private void Bump(int c, long tp = 0, long fp = 0, long fn = 0)
    {
        var v = _counts.GetValueOrDefault(c);
        _counts[c] = (v.Tp + tp, v.Fp + fp, v.Fn + fn);
    }

    public double Compute()
    {
        if (_counts.Count == 0) return double.NaN;
        return _counts.Values.Average(v => 2.0 * v.Tp / (2 * v.Tp + v.Fp + v.Fn));
    }
}

/// <summary>
/// Area under the ROC curve for a binary task: the probability that a random positive scores above a random negative,
/// ties counted half (Mann–Whitney U with average ranks). Predictions are one logit per sample ((B) or (B, 1)) or two
/// logits (B, 2), whose difference is the score; targets are Int32 0/1 or float 0/1.
/// </summary>
public sealed class RocAuc : IMetric
{
    private readonly List<(double Score, bool Positive)> _items = [];

    public string Name => "auc";
    public bool HigherIsBetter => true;

    public void Reset() => _items.Clear();

    public void Update(Tensor prediction, Tensor target, Tensor? mask = null)
    {
        int b = prediction.Rank == 0 ? 1 : prediction.Shape[0];
        double[] scores;
        var raw = prediction.Detach().ToDoubleArray();
        if (prediction.Rank == 1 || (prediction.Rank == 2 && prediction.Shape[1] == 1)) scores = raw;
        else if (prediction.Rank == 2 && prediction.Shape[1] == 2) scores = Enumerable.Range(0, b).Select(i => raw[2 * i + 1] - raw[2 * i]).ToArray();
        else throw new ArgumentException($"auc: predictions must be (B), (B, 1) or (B, 2) scores for a binary task, got {prediction.ShapeString}");
        if (target.Numel != b) throw new ArgumentException($"auc: targets {target.ShapeString} do not match {b} predictions");
        var labels = target.ToDoubleArray();
        var m = mask?.ToDoubleArray();
        if (m is not null && m.Length != b) throw new ArgumentException($"auc: mask {mask!.ShapeString} does not match batch size {b}");
        for (int i = 0; i < b; i++)
        {
            if (m is not null && m[i] == 0) continue;
            if (labels[i] != 0 && labels[i] != 1) throw new ArgumentOutOfRangeException(nameof(target), $"auc: target {labels[i]} at position {i} is not 0 or 1");
            _items.Add((scores[i], labels[i] == 1));
        }
    }

    public double Compute()
    {
        long pos = _items.Count(x => x.Positive), neg = _items.Count - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        var sorted = _items.OrderBy(x => x.Score).ToArray();
        double rankSumPositive = 0;
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score) j++;
            double averageRank = (i + 1 + j) / 2.0;        // ranks i+1 .. j share their mean
            for (int k = i; k < j; k++) if (sorted[k].Positive) rankSumPositive += averageRank;
            i = j;
        }
        return (rankSumPositive - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }
}
