// Δm: the mean relative gain of a multi-task model over single-task baselines, sign-corrected per metric.
namespace Mtl.MultiTask.Metrics;

/// <summary>One task metric of the multi-task model next to the single-task baseline's.</summary>
public sealed record MetricComparison(string Task, string Metric, double MultiTask, double SingleTask, bool HigherIsBetter);

/// <summary>
/// Δm% = (1/K)·Σ_k (−1)^{s_k}·(M_mtl,k − M_stl,k)/M_stl,k·100 with s_k = 1 when lower is better (Maninis et al. 2019,
/// as used by LibMTL). Positive means the multi-task model is better on average.
/// </summary>
public static class DeltaM
{
    /// <summary>Δm in percent over the given comparisons.</summary>
    public static double Compute(IReadOnlyList<MetricComparison> comparisons)
    {
        if (comparisons.Count == 0) throw new ArgumentException("DeltaM: no metrics to compare");
        double sum = 0;
        foreach (var c in comparisons)
        {
            if (c.SingleTask == 0 || !double.IsFinite(c.SingleTask) || !double.IsFinite(c.MultiTask))
                throw new ArgumentException($"DeltaM: task '{c.Task}' metric '{c.Metric}' has single-task value {c.SingleTask} and multi-task value {c.MultiTask}; both must be finite and the baseline non-zero");
            double rel = (c.MultiTask - c.SingleTask) / c.SingleTask;
            sum += c.HigherIsBetter ? rel : -rel;
        }
        return 100 * sum / comparisons.Count;
    }
}
