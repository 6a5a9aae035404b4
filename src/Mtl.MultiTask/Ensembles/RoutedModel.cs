// Baseline fallback routing: each task's prediction comes from the multi-task model or that task's single-task model.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;

namespace Mtl.MultiTask.Ensembles;

/// <summary>The validation comparison behind one task's route (the task's primary metric).</summary>
/// <param name="Task">The task.</param>
/// <param name="Metric">Its primary metric (the first it declares).</param>
/// <param name="MultiTask">The multi-task model's validation value.</param>
/// <param name="SingleTask">The single-task model's validation value.</param>
/// <param name="HigherIsBetter">The metric's direction.</param>
/// <param name="Route"><see cref="RoutedModel.MultiTaskRoute"/> or <see cref="RoutedModel.SingleTaskRoute"/>.</param>
public sealed record RouteChoice(string Task, string Metric, double MultiTask, double SingleTask, bool HigherIsBetter, string Route);

/// <summary>
/// A <see cref="MultiTaskModel"/> that sends each task's prediction to one of two models: the multi-task model or that
/// task's single-task model (<see cref="Routes"/>: task → <c>multi_task</c> | <c>single_task</c>). Build it with
/// <see cref="Choose"/>, which compares the two on validation data by each task's primary metric, so a task the shared
/// model hurts falls back to its single-task baseline. Only the models some route uses run in <see cref="Forward"/>.
/// Sub-modules: <c>multi_task</c> and <c>single_task.{task}</c>; the routed model starts in eval mode (which sets the
/// models' mode too).
/// </summary>
public sealed class RoutedModel : MultiTaskModel
{
    /// <summary>The route of a task predicted by the multi-task model.</summary>
    public const string MultiTaskRoute = "multi_task";

    /// <summary>The route of a task predicted by its single-task model.</summary>
    public const string SingleTaskRoute = "single_task";

    private readonly MultiTaskModel _multiTask;
    private readonly Dictionary<string, MultiTaskModel> _singleTask;
    private readonly Dictionary<string, string> _routes;

    /// <summary>
    /// Routes task by task: <paramref name="routes"/> names <c>multi_task</c> or <c>single_task</c> for every task of
    /// <paramref name="multiTask"/>; a task routed to <c>single_task</c> needs a model in <paramref name="singleTask"/>
    /// that predicts it (same kind and output size).
    /// </summary>
    public RoutedModel(MultiTaskModel multiTask, IReadOnlyDictionary<string, MultiTaskModel> singleTask, IReadOnlyDictionary<string, string> routes)
    {
        ArgumentNullException.ThrowIfNull(multiTask);
        ArgumentNullException.ThrowIfNull(singleTask);
        ArgumentNullException.ThrowIfNull(routes);
        _multiTask = multiTask;
        _routes = new Dictionary<string, string>(StringComparer.Ordinal);
        _singleTask = new Dictionary<string, MultiTaskModel>(StringComparer.Ordinal);
        foreach (var t in multiTask.Tasks)
        {
            if (!routes.TryGetValue(t.Name, out var route))
                throw new ArgumentException($"RoutedModel: no route for task '{t.Name}' (routes: {string.Join(", ", routes.Keys)})");
            if (route is not (MultiTaskRoute or SingleTaskRoute))
                throw new ArgumentException($"RoutedModel, task '{t.Name}': route '{route}' is neither '{MultiTaskRoute}' nor '{SingleTaskRoute}'");
            _routes[t.Name] = route;
            if (route == MultiTaskRoute) continue;
            if (!singleTask.TryGetValue(t.Name, out var single))
                throw new ArgumentException($"RoutedModel, task '{t.Name}': routed to '{SingleTaskRoute}' but no single-task model was given for it");
            var spec = single.Tasks.FirstOrDefault(x => x.Name == t.Name)
                ?? throw new ArgumentException($"RoutedModel, task '{t.Name}': its single-task model does not predict it (it predicts: {string.Join(", ", single.Tasks.Select(x => x.Name))})");
            if (spec.Kind != t.Kind || spec.OutputSize != t.OutputSize)
                throw new ArgumentException($"RoutedModel, task '{t.Name}': the single-task model predicts {spec.Kind} × {spec.OutputSize}, the multi-task model {t.Kind} × {t.OutputSize}");
            _singleTask[t.Name] = single;
        }
        foreach (var name in routes.Keys)
            if (!_routes.ContainsKey(name)) throw new ArgumentException($"RoutedModel: route given for unknown task '{name}' (tasks: {string.Join(", ", multiTask.Tasks.Select(t => t.Name))})");
        RegisterModule("multi_task", multiTask);
        RegisterModule("single_task", new ModuleDict<MultiTaskModel>(_singleTask));
        Eval();   // a prediction model: Evaluator restores this mode (and so the routed models') after a pass
    }

    /// <summary>
    /// Compares <paramref name="multiTask"/> and each task's model in <paramref name="singleTask"/> on
    /// <paramref name="validation"/> by the task's primary metric (respecting <see cref="Metrics.IMetric.HigherIsBetter"/>)
    /// and routes every task to the better one; ties and non-finite single-task values keep the multi-task model. Each
    /// single-task model is evaluated on its task's data alone (its own loader of a per-task source).
    /// </summary>
    public static RoutedModel Choose(MultiTaskModel multiTask, IReadOnlyDictionary<string, MultiTaskModel> singleTask, TrainingSource validation)
    {
        ArgumentNullException.ThrowIfNull(multiTask);
        ArgumentNullException.ThrowIfNull(singleTask);
        ArgumentNullException.ThrowIfNull(validation);
        var mtl = Evaluator.Run(multiTask, validation).Metrics;
        var choices = new List<RouteChoice>();
        foreach (var t in multiTask.Tasks)
        {
            if (!singleTask.TryGetValue(t.Name, out var single))
                throw new ArgumentException($"RoutedModel.Choose: no single-task model for task '{t.Name}' (given: {string.Join(", ", singleTask.Keys)})");
            var metric = t.CreateMetrics()[0];
            double m = mtl[t.Name][metric.Name];
            double s = Evaluator.Run(single, Restrict(validation, t.Name)).Metrics[t.Name][metric.Name];
            bool singleBetter = double.IsFinite(s) && (!double.IsFinite(m) || (metric.HigherIsBetter ? s > m : s < m));
            choices.Add(new RouteChoice(t.Name, metric.Name, m, s, metric.HigherIsBetter, singleBetter ? SingleTaskRoute : MultiTaskRoute));
        }
        return new RoutedModel(multiTask, singleTask, choices.ToDictionary(c => c.Task, c => c.Route, StringComparer.Ordinal)) { Choices = choices };
    }

    /// <summary>Task → <c>multi_task</c> | <c>single_task</c>.</summary>
    public IReadOnlyDictionary<string, string> Routes => _routes;

    /// <summary>The validation comparisons behind the routes when built by <see cref="Choose"/>; empty otherwise.</summary>
    public IReadOnlyList<RouteChoice> Choices { get; private init; } = [];

    /// <summary>The multi-task model.</summary>
    public MultiTaskModel MultiTask => _multiTask;

    /// <summary>The single-task models some route uses, by task.</summary>
    public IReadOnlyDictionary<string, MultiTaskModel> SingleTask => _singleTask;

    /// <inheritdoc/>
    public override IReadOnlyList<TaskSpec> Tasks => _multiTask.Tasks;

    /// <summary>Each task's output from the model its route names.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
    {
        var shared = _routes.Values.Contains(MultiTaskRoute) ? _multiTask.Forward(input) : null;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in _multiTask.Tasks)
            result[t.Name] = _routes[t.Name] == MultiTaskRoute ? shared![t.Name] : _singleTask[t.Name].Forward(input)[t.Name];
        return result;
    }

    /// <summary>The multi-task model's auxiliary loss (the single-task models' are not added: routing is for prediction).</summary>
    public override Tensor? AuxiliaryLoss() => _multiTask.AuxiliaryLoss();

    private static TrainingSource Restrict(TrainingSource source, string task) =>
        source.PerTask is { } perTask ? TrainingSource.FromTaskLoaders(new Dictionary<string, Data.DataLoader> { [task] = perTask[task] }) : source;
}
