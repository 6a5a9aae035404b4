// Task attention over columns: at chosen stages each task's column becomes a per-sample softmax mix of all columns.
using System.Globalization;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="TaskAttention"/> (defaults: attention after every stage but the last, temperature 1).</summary>
public sealed record TaskAttentionOptions
{
    /// <summary>Stages (0-based) after which the columns attend to each other; null = every stage but the last.</summary>
    public int[]? AtStages { get; init; }

    /// <summary>Softmax temperature τ &gt; 0: α_i = softmax(logits / τ); below 1 sharpens towards one column, above 1 flattens.</summary>
    public double Temperature { get; init; } = 1;
}

/// <summary>
/// Attention-based sharing between per-task columns (the "task attention" of the MTL survey literature): every task t
/// has its own column (a fresh copy of the trunk's stages). After each chosen stage s, with h_1 … h_K the columns'
/// outputs flattened to (B, D), task i computes per sample
/// α_i = softmax((W_s,i·[h_1 … h_K] + b_s,i) / τ) ∈ R^K from the concatenation (B, K·D) and replaces its column's
/// activation by h_i' = Σ_j α_i[j]·h_j (weights broadcast over the stage's feature shape). All tasks read the
/// activations from before the mix. Unlike a cross-stitch unit the mixing depends on the input.
/// Parameters: <c>columns.{task}.{stage}.*</c>, <c>attention.{stage}.{task}.weight|bias</c> (Linear K·D → K),
/// <c>heads.{task}.*</c>.
/// </summary>
public sealed class TaskAttention : MultiTaskModel
{
    private const string Name = "TaskAttention";
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;

    /// <summary>
    /// K columns of <paramref name="trunk"/>; the attention layers are drawn from <paramref name="generator"/>
    /// (default: <see cref="Init.DefaultGenerator"/>).
    /// </summary>
    public TaskAttention(Trunk trunk, IReadOnlyList<TaskSpec> tasks, TaskAttentionOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new TaskAttentionOptions();
        if (!(o.Temperature > 0) || double.IsInfinity(o.Temperature))
            throw new ArgumentException($"{Name}: Temperature must be positive and finite, got {o.Temperature}");
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        AttentionStages = ColumnStages.Choose(Name, nameof(TaskAttentionOptions.AtStages), o.AtStages, trunk.Depth,
            ColumnStages.AllButLast(trunk.Depth));
        int k = _tasks.Length, width = trunk.Width();
        Columns = RegisterModule("columns", ColumnStages.Build(trunk, _tasks));
        Attention = RegisterModule("attention", new ModuleDict<ModuleDict<Linear>>(AttentionStages.Select(s =>
        {
            int d = trunk.StageShapes[s].Aggregate(1, (p, n) => p * n);
            return new KeyValuePair<string, ModuleDict<Linear>>(Key(s), new ModuleDict<Linear>(_tasks.Select(t =>
                new KeyValuePair<string, Linear>(t.Name, new Linear(k * d, k, generator: generator)))));
        })));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => width));
    }

    /// <summary>Registry factory: one column of the context's trunk per task.</summary>
    public static TaskAttention Create(ArchitectureContext context, TaskAttentionOptions options) => new(context.Trunk, context.Tasks, options);

    public TaskAttentionOptions Options { get; }

    /// <summary>Per task, its column's stages.</summary>
    public ModuleDict<ModuleList<Module<Tensor, Tensor>>> Columns { get; }

    /// <summary>Per attention stage (key: the stage index as text), per task, the Linear(K·D → K) scoring the columns.</summary>
    public ModuleDict<ModuleDict<Linear>> Attention { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }

    /// <summary>The stages after which the columns attend to each other, ascending.</summary>
    public IReadOnlyList<int> AttentionStages { get; }

    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x) =>
        ColumnStages.Decode(Name, _tasks, Heads, Encode(x, null), _trunk.Width());

    /// <summary>
    /// The attention weights of a batch, for inspection: stage → task → α (B, K), each row a distribution over the
    /// columns in task order.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<string, Tensor>> AttentionWeights(Tensor x)
    {
        var weights = new Dictionary<int, IReadOnlyDictionary<string, Tensor>>();
        Encode(x, weights);
        return weights;
    }

    // Runs the columns with the attention mixes; records α per stage when asked.
    private Tensor[] Encode(Tensor x, Dictionary<int, IReadOnlyDictionary<string, Tensor>>? weights)
    {
        _trunk.CheckInput(x, Name);
        var h = Enumerable.Repeat(x, _tasks.Length).ToArray();
        for (int s = 0; s < _trunk.Depth; s++)
        {
            for (int i = 0; i < _tasks.Length; i++) h[i] = Columns[_tasks[i].Name][s].Forward(h[i]);
            if (Attention.TryGetValue(Key(s), out var scorers)) h = Mix(s, scorers, h, weights);
        }
        return h;
    }

    private Tensor[] Mix(int stage, ModuleDict<Linear> scorers, Tensor[] h, Dictionary<int, IReadOnlyDictionary<string, Tensor>>? weights)
    {
        int b = h[0].Shape[0], d = scorers[_tasks[0].Name].InFeatures / _tasks.Length;
        var sample = h[0].ShapeArray;
        if (h[0].Numel != b * d)
            throw new ArgumentException($"{Name}: stage {stage} produced {h[0].ShapeString}; its attention expects {d} features per sample");
        var flat = h.Select(t => t.Reshape(b, d)).ToArray();                                     // K × (B, D)
        var all = JoinOps.Concat(flat, 1);                                                        // (B, K·D)
        var stacked = JoinOps.Stack(flat, 1);                                                     // (B, K, D)
        var mixed = new Tensor[_tasks.Length];
        var alphas = weights is null ? null : new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _tasks.Length; i++)
        {
            var logits = scorers[_tasks[i].Name].Forward(all);                                     // (B, K)
            if (Options.Temperature != 1) logits = logits.DivScalar(Options.Temperature);
            var alpha = logits.Softmax(-1);                                                       // (B, K)
            alphas?.Add(_tasks[i].Name, alpha);
            mixed[i] = alpha.Unsqueeze(1).MatMul(stacked).Reshape(sample);                        // (B, 1, D) → (B, ...)
        }
        if (weights is not null) weights[stage] = alphas!;
        return mixed;
    }

    private static string Key(int stage) => stage.ToString(CultureInfo.InvariantCulture);
}
