// How far each task's primary validation metric lies below its reference, relative to the reference.
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Scheduling;

/// <summary>
/// The relative shortfall of each task against reference metrics (e.g. single-task baselines):
/// gapₖ = s·(rₖ − mₖ)/|rₖ| for the task's primary metric (the first it declares, as <see cref="ModelSelection"/>), with
/// s = +1 when higher is better and −1 when lower is better, so gapₖ &gt; 0 means "below the reference". It is minus the
/// task's term of Δm (as a fraction, not percent). A reference of exactly 0 uses the absolute difference.
/// </summary>
public static class TaskShortfall
{
    /// <summary>gapₖ for every task of <paramref name="tasks"/>; errors name the task and metric missing.</summary>
    public static Dictionary<string, double> Compute(IReadOnlyList<TaskSpec> tasks, EvaluationResult result,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> reference)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(reference);
        var gaps = new Dictionary<string, double>(tasks.Count, StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            var primary = t.CreateMetrics().FirstOrDefault()
                ?? throw new InvalidOperationException($"task '{t.Name}': declares no metrics, so its shortfall cannot be measured");
            if (!result.Metrics.TryGetValue(t.Name, out var values) || !values.TryGetValue(primary.Name, out double m))
                throw new InvalidOperationException($"task '{t.Name}': the evaluation has no '{primary.Name}' value");
            if (!reference.TryGetValue(t.Name, out var refs) || !refs.TryGetValue(primary.Name, out double r))
                throw new InvalidOperationException($"task '{t.Name}': the reference metrics have no '{primary.Name}' value");
            double rel = Math.Abs(r) > 1e-12 ? (r - m) / Math.Abs(r) : r - m;
            gaps[t.Name] = primary.HigherIsBetter ? rel : -rel;
        }
        return gaps;
    }
}
