// Reads a batch's predictions, targets and mask into plain arrays with shape checks that name the metric.
namespace Mtl.MultiTask.Metrics;

/// <summary>Validation and extraction shared by the metrics.</summary>
internal static class MetricInputs
{
    /// <summary>Predicted class per sample from logits (B, C), and Int32 targets (B); masked-out samples dropped.</summary>
    public static (int[] Predicted, int[] Target) Classes(string metric, Tensor logits, Tensor target, Tensor? mask)
    {
        if (logits.Rank != 2) throw new ArgumentException($"{metric}: predictions must be logits (B, C), got {logits.ShapeString}");
        if (target.DType != DType.Int32 || target.Rank != 1 || target.Shape[0] != logits.Shape[0])
            throw new ArgumentException($"{metric}: targets must be Int32 class indices ({logits.Shape[0]},), got {target.DType} {target.ShapeString}");
        int[] pred, tgt = target.ToArray<int>();
        using (GradMode.NoGrad()) pred = logits.Detach().Argmax(1).ToArray<int>();
        var keep = Keep(metric, mask, tgt.Length);
        int c = logits.Shape[1];
        var p = new List<int>(tgt.Length);
        var t = new List<int>(tgt.Length);
        for (int i = 0; i < tgt.Length; i++)
        {
            if (!keep[i]) continue;
            if (tgt[i] < 0 || tgt[i] >= c)
                throw new ArgumentOutOfRangeException(nameof(target), $"{metric}: target {tgt[i]} at position {i} is outside [0, {c})");
            p.Add(pred[i]);
            t.Add(tgt[i]);
        }
        return (p.ToArray(), t.ToArray());
    }

    /// <summary>Predictions and targets of equal shape (B, ...) as rows of width W; masked-out rows dropped.</summary>
    public static (double[] Predicted, double[] Target, int Width) Values(string metric, Tensor prediction, Tensor target, Tensor? mask)
    {
        if (!ShapeUtil.SameShape(prediction.Shape, target.Shape) || prediction.Rank < 1)
            throw new ArgumentException($"{metric}: prediction {prediction.ShapeString} and target {target.ShapeString} must have the same shape (B, ...)");
        int b = prediction.Shape[0], w = b == 0 ? 1 : prediction.Numel / b;
        var pv = prediction.Detach().ToDoubleArray();
        var tv = target.ToDoubleArray();
        var keep = Keep(metric, mask, b);
        var p = new List<double>(pv.Length);
        var t = new List<double>(tv.Length);
        for (int i = 0; i < b; i++)
        {
            if (!keep[i]) continue;
            for (int j = 0; j < w; j++)
            {
                p.Add(pv[i * w + j]);
                t.Add(tv[i * w + j]);
            }
        }
        return (p.ToArray(), t.ToArray(), Math.Max(w, 1));
    }

    private static bool[] Keep(string metric, Tensor? mask, int b)
    {
        var keep = new bool[b];
        if (mask is null)
        {
            Array.Fill(keep, true);
            return keep;
        }
        if (mask.Numel != b) throw new ArgumentException($"{metric}: mask {mask.ShapeString} does not match batch size {b}");
        var m = mask.ToDoubleArray();
        for (int i = 0; i < b; i++) keep[i] = m[i] != 0;
        return keep;
    }
}
