// Turns a routed model and its evaluation into the run report's `routing` section.
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Ensembles;

/// <summary>Builds <see cref="RoutingReport"/>s.</summary>
public static class FallbackReport
{
    /// <summary>The routes and validation comparisons of <paramref name="routed"/>, with its <paramref name="evaluation"/> metrics.</summary>
    public static RoutingReport Create(RoutedModel routed, EvaluationResult evaluation)
    {
        ArgumentNullException.ThrowIfNull(routed);
        ArgumentNullException.ThrowIfNull(evaluation);
        return new RoutingReport(
            new Dictionary<string, string>(routed.Routes, StringComparer.Ordinal),
            evaluation.Metrics,
            routed.Choices.Select(c => new RoutingValidation(c.Task, c.Metric, c.MultiTask, c.SingleTask, c.HigherIsBetter)).ToList());
    }
}
