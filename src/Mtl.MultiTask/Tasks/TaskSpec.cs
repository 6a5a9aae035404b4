// A task's declaration: name, kind, output size, head factory, loss, metrics, static weight and attachment depth.
using Mtl.MultiTask.Metrics;
using Mtl.NN;

namespace Mtl.MultiTask.Tasks;

/// <summary>What a task predicts.</summary>
public enum TaskKind
{
    /// <summary>One of <c>OutputSize</c> classes (logits, cross-entropy).</summary>
    Classification,
    /// <summary>Independent 0/1 labels (one logit each, binary cross-entropy with logits).</summary>
    MultiLabel,
    /// <summary><c>OutputSize</c> real values (MSE).</summary>
    Regression,
    /// <summary>A class per sequence position (logits per position, cross-entropy).</summary>
    SequenceLabeling,
}

/// <summary>
/// Declares one task of a multi-task model. Defaults follow the kind: classification uses cross-entropy with accuracy
/// and macro-F1, regression MSE with MSE, MAE and R², multi-label BCE-with-logits with label macro-F1 and Hamming accuracy. The head defaults to one
/// Linear layer from the shared representation to <see cref="OutputSize"/>.
/// </summary>
public sealed record TaskSpec
{
    public TaskSpec(string name, TaskKind kind, int outputSize)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"TaskSpec: invalid task name '{name}' (non-empty, no '.')");
        if (outputSize <= 0) throw new ArgumentException($"TaskSpec '{name}': output size must be positive, got {outputSize}");
        Name = name;
        Kind = kind;
        OutputSize = outputSize;
    }

    /// <summary>Unique task name (also the key of its head, targets and metrics).</summary>
    public string Name { get; }

    public TaskKind Kind { get; }

    /// <summary>Classes (classification, sequence labelling), labels (multi-label) or values (regression).</summary>
    public int OutputSize { get; }

    /// <summary>Builds the task's head from the width of the representation it reads; default: Linear(width → OutputSize).</summary>
    public Func<int, Module<Tensor, Tensor>>? Head { get; init; }

    /// <summary>The task's loss; default from <see cref="Kind"/>.</summary>
    public ILoss? Loss { get; init; }

    /// <summary>Metric factories; default from <see cref="Kind"/>. The first is the task's primary metric.</summary>
    public IReadOnlyList<Func<IMetric>>? Metrics { get; init; }

    /// <summary>Static loss weight λ (≥ 0).</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Depth of the shared trunk whose output the head reads (−1 = the last; for hierarchical tasks).</summary>
    public int AttachDepth { get; init; } = -1;

    /// <summary>The head this task uses for a representation of the given width.</summary>
    public Module<Tensor, Tensor> BuildHead(int inputWidth) => Head?.Invoke(inputWidth) ?? new Linear(inputWidth, OutputSize);

    /// <summary>The loss this task uses.</summary>
    public ILoss ResolveLoss() => Loss ?? Kind switch
    {
        TaskKind.Regression => new MseLoss(),
        TaskKind.MultiLabel => new BceWithLogitsLoss(),
        _ => new CrossEntropyLoss(),
    };

    /// <summary>Fresh instances of this task's metrics.</summary>
    public IReadOnlyList<IMetric> CreateMetrics() => (Metrics ?? DefaultMetrics(Kind)).Select(f => f()).ToList();

    private static IReadOnlyList<Func<IMetric>> DefaultMetrics(TaskKind kind) => kind switch
    {
        TaskKind.Regression => [() => new MeanSquaredError(), () => new MeanAbsoluteError(), () => new RSquared()],
        TaskKind.MultiLabel => [() => new LabelMacroF1(), () => new HammingAccuracy()],
        _ => [() => new Accuracy(), () => new MacroF1()],
    };

    /// <summary>Checks a set of tasks: unique names and valid weights; throws naming the offending task.</summary>
    public static void Validate(IReadOnlyList<TaskSpec> tasks)
    {
        if (tasks.Count == 0) throw new ArgumentException("no tasks given");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            if (!seen.Add(t.Name)) throw new ArgumentException($"task '{t.Name}' is declared twice");
            if (!(t.Weight >= 0) || double.IsInfinity(t.Weight)) throw new ArgumentException($"task '{t.Name}': weight must be finite and ≥ 0, got {t.Weight}");
        }
    }
}
