// The run report: per-task metrics of the multi-task model and single-task baselines, Δm, parameter counts, wall times.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Training;

/// <summary>One trained model's side of the report.</summary>
/// <param name="Metrics">Test (or validation) metrics, task → metric → value.</param>
/// <param name="Parameters">Trainable parameter count.</param>
/// <param name="Seconds">Training wall time.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (−1 when no selection happened).</param>
public sealed record ModelReport(
    [property: JsonPropertyName("metrics")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("best_epoch")] int BestEpoch);

/// <summary>
/// Baseline fallback routing (<see cref="ExperimentOptions.Fallback"/>): which model predicts each task — chosen on the
/// validation data by the task's primary metric — and the routed model's metrics on the evaluation data.
/// </summary>
/// <param name="Routes">Task → <c>multi_task</c> | <c>single_task</c>.</param>
/// <param name="Metrics">The routed model's metrics (task → metric → value) on the data the report is evaluated on.</param>
/// <param name="Validation">Per task: the primary metric of both models on the validation data that decided the route.</param>
public sealed record RoutingReport(
    [property: JsonPropertyName("routes")] IReadOnlyDictionary<string, string> Routes,
    [property: JsonPropertyName("metrics")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics,
    [property: JsonPropertyName("validation")] IReadOnlyList<RoutingValidation> Validation);

/// <summary>The validation comparison that decided one task's route.</summary>
/// <param name="Task">The task.</param>
/// <param name="Metric">Its primary metric.</param>
/// <param name="MultiTask">The multi-task model's validation value.</param>
/// <param name="SingleTask">The single-task model's validation value.</param>
/// <param name="HigherIsBetter">The metric's direction.</param>
public sealed record RoutingValidation(
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("multi_task")] double MultiTask,
    [property: JsonPropertyName("single_task")] double SingleTask,
    [property: JsonPropertyName("higher_is_better")] bool HigherIsBetter);

/// <summary>
/// What <see cref="Experiment.Run"/> measured. <see cref="DeltaM"/> is Δm% over each task's primary metric (the first
/// it declares) — (1/K)·Σ_k (−1)^{s_k}·(M_mtl,k − M_stl,k)/M_stl,k·100; <see cref="DeltaMAllMetrics"/> averages every
/// metric within a task first, then over tasks (LibMTL's form). Both are null without baselines.
/// </summary>
public sealed record RunReport
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("strategy")] public string? Strategy { get; init; }
    [JsonPropertyName("tasks")] public required IReadOnlyList<string> Tasks { get; init; }
    [JsonPropertyName("evaluated_on")] public required string EvaluatedOn { get; init; }
    [JsonPropertyName("multi_task")] public required ModelReport MultiTask { get; init; }
    [JsonPropertyName("single_task")] public IReadOnlyDictionary<string, ModelReport>? SingleTask { get; init; }
    [JsonPropertyName("comparison")] public IReadOnlyList<MetricComparison>? Comparison { get; init; }
    [JsonPropertyName("delta_m")] public double? DeltaM { get; init; }
    [JsonPropertyName("delta_m_all_metrics")] public double? DeltaMAllMetrics { get; init; }
    [JsonPropertyName("single_task_parameters")] public long? SingleTaskParameters { get; init; }
    [JsonPropertyName("single_task_seconds")] public double? SingleTaskSeconds { get; init; }

    /// <summary>Baseline fallback routing and the routed model's metrics; null (and absent from the JSON) when off.</summary>
    [JsonPropertyName("routing"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RoutingReport? Routing { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>
    /// The report of a trained multi-task model and (optionally) its single-task baselines: the metric-by-metric
    /// comparison, Δm over each task's primary metric and over all metrics averaged per task. Δm is NaN where it is
    /// undefined (a baseline metric of 0 or a non-finite value, e.g. in a tiny run).
    /// </summary>
    public static RunReport Create(string architecture, string? strategy, IReadOnlyList<TaskSpec> tasks, string evaluatedOn,
        ModelReport multiTask, IReadOnlyDictionary<string, ModelReport>? singleTask)
    {
        List<MetricComparison>? comparison = null;
        double? deltaM = null, deltaAll = null;
        if (singleTask is not null)
        {
            comparison = [];
            var perTask = new List<double>();
            var primary = new List<MetricComparison>();
            foreach (var t in tasks)
            {
                var rows = t.CreateMetrics().Select(m => new MetricComparison(t.Name, m.Name, multiTask.Metrics[t.Name][m.Name],
                    singleTask[t.Name].Metrics[t.Name][m.Name], m.HigherIsBetter)).ToList();
                comparison.AddRange(rows);
                primary.Add(rows[0]);
                perTask.Add(SafeDeltaM(rows));
            }
            deltaM = SafeDeltaM(primary);
            deltaAll = perTask.Average();
        }
        return new RunReport
        {
            Architecture = architecture,
            Strategy = strategy,
            Tasks = tasks.Select(t => t.Name).ToList(),
            EvaluatedOn = evaluatedOn,
            MultiTask = multiTask,
            SingleTask = singleTask,
            Comparison = comparison,
            DeltaM = deltaM,
            DeltaMAllMetrics = deltaAll,
            SingleTaskParameters = singleTask?.Values.Sum(r => r.Parameters),
            SingleTaskSeconds = singleTask?.Values.Sum(r => r.Seconds),
        };
    }

    private static double SafeDeltaM(IReadOnlyList<MetricComparison> rows)
    {
        try { return Metrics.DeltaM.Compute(rows); }
        catch (ArgumentException) { return double.NaN; }
    }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    public static RunReport FromJson(string json) => JsonSerializer.Deserialize<RunReport>(json, Json)
        ?? throw new JsonException("run report: the document is null");

    /// <summary>Writes the report to <paramref name="path"/> (via a temp file and a rename, so a reader never sees half of it).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, full, overwrite: true);
    }
}
