// Hierarchical tasks: heads attached at different trunk depths, and task chains feeding one task's prediction to another.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="Hierarchical"/> (defaults: no chains, so it is hard sharing with heads at their depths).</summary>
public sealed record HierarchicalOptions
{
    /// <summary>
    /// Task → the tasks whose predictions are appended to its head input, in that order: softmax probabilities for
    /// classification, sigmoid probabilities for multi-label, raw values for regression. Null or empty = no chains.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Chains { get; init; }

    /// <summary>When true, chained predictions are detached: a downstream loss sends no gradient into the upstream task.</summary>
    public bool DetachChainInputs { get; init; }
}

/// <summary>
/// Hierarchical multi-task learning: one shared trunk h_s = stage_s(h_{s−1}) whose intermediate stages supervise
/// low-level tasks — task t's head reads h_{d(t)} at its <see cref="TaskSpec.AttachDepth"/> d(t) (−1 = the last stage;
/// that stage's output must be flat) — as in Søgaard &amp; Goldberg, "Deep multi-task learning with low level tasks
/// supervised at lower layers", ACL 2016, and Hashimoto et al., "A Joint Many-Task Model", EMNLP 2017. Task chains
/// add causal dependencies: y_t = head_t([h_{d(t)} ; p_{u1} ; p_{u2} ; …]) where p_u is upstream task u's prediction
/// (probabilities or values), so tasks run in dependency (topological) order. Only the stages up to the deepest
/// attachment are built. Parameters: <c>trunk.{stage}.*</c>, <c>heads.{task}.*</c>.
/// </summary>
public sealed class Hierarchical : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly Dictionary<string, TaskSpec> _byName;
    private readonly Dictionary<string, int> _stageOf;
    private readonly Dictionary<string, string[]> _inputsOf;
    private readonly Dictionary<string, int> _widthOf;

    public Hierarchical(Trunk trunk, IReadOnlyList<TaskSpec> tasks, HierarchicalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new HierarchicalOptions();
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        _byName = _tasks.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Order = TopologicalOrder(_tasks, o.Chains);
        _inputsOf = _tasks.ToDictionary(t => t.Name, t => o.Chains is not null && o.Chains.TryGetValue(t.Name, out var u) ? u.ToArray() : [], StringComparer.Ordinal);
        _stageOf = _tasks.ToDictionary(t => t.Name, t => ResolveStage(t, trunk), StringComparer.Ordinal);
        foreach (var (name, upstream) in _inputsOf)
            foreach (var u in upstream)
                if (_byName[u].Kind == TaskKind.SequenceLabeling)
                    throw new ArgumentException($"task '{name}' chains from '{u}', a sequence-labelling task; only classification, multi-label and regression predictions (B, C) can be chained");
        _widthOf = _tasks.ToDictionary(t => t.Name,
            t => trunk.Width(_stageOf[t.Name]) + _inputsOf[t.Name].Sum(u => _byName[u].OutputSize), StringComparer.Ordinal);

        int deepest = _stageOf.Values.Max();
        Trunk = RegisterModule("trunk", new ModuleList<Module<Tensor, Tensor>>(Enumerable.Range(0, deepest + 1).Select(trunk.BuildStage)));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => _widthOf[t.Name]));
    }

    /// <summary>Registry factory: the context's trunk, heads at each task's <see cref="TaskSpec.AttachDepth"/>.</summary>
    public static Hierarchical Create(ArchitectureContext context, HierarchicalOptions options) => new(context.Trunk, context.Tasks, options);

    public HierarchicalOptions Options { get; }

    /// <summary>The order tasks are computed in: every task after the tasks it chains from, otherwise declaration order.</summary>
    public IReadOnlyList<string> Order { get; }

    /// <summary>The shared trunk's stages, up to the deepest attachment.</summary>
    public ModuleList<Module<Tensor, Tensor>> Trunk { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>The trunk stage (0-based) whose output task <paramref name="task"/>'s head reads.</summary>
    public int StageOf(string task) => _stageOf.TryGetValue(task, out var s) ? s : throw UnknownTask(task);

    /// <summary>The tasks whose predictions task <paramref name="task"/>'s head receives, in order.</summary>
    public IReadOnlyList<string> ChainInputsOf(string task) => _inputsOf.TryGetValue(task, out var u) ? u : throw UnknownTask(task);

    /// <summary>Width of task <paramref name="task"/>'s head input: its stage's width plus the chained prediction sizes.</summary>
    public int HeadInputWidth(string task) => _widthOf.TryGetValue(task, out var w) ? w : throw UnknownTask(task);

    /// <summary>Per-task outputs: logits (B, C) for classification, values (B, K) for regression.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        _trunk.CheckInput(x, "Hierarchical");
        var stages = new Tensor[Trunk.Count];
        var h = x;
        for (int s = 0; s < Trunk.Count; s++) stages[s] = h = Trunk[s].Forward(h);    // h_s
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var name in Order)
        {
            var t = _byName[name];
            var input = stages[_stageOf[name]];                                         // (B, D_s)
            var upstream = _inputsOf[name];
            if (upstream.Length > 0)
            {
                var parts = new Tensor[upstream.Length + 1];
                parts[0] = input;
                for (int i = 0; i < upstream.Length; i++)
                {
                    var p = ChainPrediction(_byName[upstream[i]], outputs[upstream[i]], name);   // (B, C_u)
                    parts[i + 1] = Options.DetachChainInputs ? p.Detach() : p;
                }
                input = JoinOps.Concat(parts, 1);                                       // (B, D_s + Σ C_u)
            }
            var y = Heads[name].Forward(input);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[name] = y;
        }
        return _tasks.ToDictionary(t => t.Name, t => outputs[t.Name], StringComparer.Ordinal);
    }

    /// <summary>
    /// What a downstream task receives from <paramref name="upstream"/>'s output (B, C): softmax probabilities for
    /// classification, sigmoid probabilities for multi-label, the raw values for regression.
    /// </summary>
    public static Tensor ChainPrediction(TaskSpec upstream, Tensor output, string downstream = "?")
    {
        if (output.Rank != 2 || output.Shape[1] != upstream.OutputSize)
            throw new ArgumentException($"task '{downstream}' chains from task '{upstream.Name}', whose output is {output.ShapeString}; a chained prediction must be (B, {upstream.OutputSize})");
        return upstream.Kind switch
        {
            TaskKind.Classification => output.Softmax(1),
            TaskKind.MultiLabel => output.Sigmoid(),
            TaskKind.Regression => output,
            _ => throw new ArgumentException($"task '{downstream}' chains from '{upstream.Name}', a {upstream.Kind} task, which cannot be chained"),
        };
    }

    /// <summary>
    /// The order to compute <paramref name="tasks"/> in so each comes after the tasks it chains from (ties keep
    /// declaration order). Unknown task names, a task chaining from itself, a task listed twice and cycles are
    /// <see cref="ArgumentException"/>s naming the tasks.
    /// </summary>
    public static IReadOnlyList<string> TopologicalOrder(IReadOnlyList<TaskSpec> tasks, IReadOnlyDictionary<string, IReadOnlyList<string>>? chains)
    {
        var names = tasks.Select(t => t.Name).ToList();
        var known = new HashSet<string>(names, StringComparer.Ordinal);
        string list = string.Join(", ", names);
        var deps = names.ToDictionary(n => n, _ => (IReadOnlyList<string>)[], StringComparer.Ordinal);
        foreach (var (task, upstream) in chains ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (!known.Contains(task)) throw new ArgumentException($"Hierarchical: Chains names unknown task '{task}' (tasks: {list})");
            ArgumentNullException.ThrowIfNull(upstream, $"Chains['{task}']");
            foreach (var u in upstream)
            {
                if (u == task) throw new ArgumentException($"task '{task}' chains from itself; a task cannot take its own prediction as input");
                if (!known.Contains(u)) throw new ArgumentException($"task '{task}' chains from unknown task '{u}' (tasks: {list})");
            }
            var twice = upstream.GroupBy(u => u, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null) throw new ArgumentException($"task '{task}' chains from '{twice.Key}' twice");
            deps[task] = upstream;
        }
        var order = new List<string>(names.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (order.Count < names.Count)
        {
            var next = names.FirstOrDefault(n => !done.Contains(n) && deps[n].All(done.Contains));
            if (next is null) throw new ArgumentException($"task chains form a cycle: {string.Join(" → ", FindCycle(names.Where(n => !done.Contains(n)).ToList(), deps, done))} (each chains from the next)");
            order.Add(next);
            done.Add(next);
        }
        return order;
    }

    // Every task left has an unfinished dependency, so following those from any of them must come back round.
    private static List<string> FindCycle(List<string> left, Dictionary<string, IReadOnlyList<string>> deps, HashSet<string> done)
    {
        var path = new List<string>();
        var at = left[0];
        while (!path.Contains(at))
        {
            path.Add(at);
            at = deps[at].First(u => !done.Contains(u));
        }
        var cycle = path.Skip(path.IndexOf(at)).ToList();
        cycle.Add(at);
        return cycle;
    }

    private static int ResolveStage(TaskSpec t, Trunk trunk)
    {
        int s = t.AttachDepth < 0 ? trunk.Depth + t.AttachDepth : t.AttachDepth;
        if ((uint)s >= (uint)trunk.Depth)
            throw new ArgumentException($"task '{t.Name}': AttachDepth {t.AttachDepth} is outside the trunk's {trunk.Depth} stages (0..{trunk.Depth - 1}, or −1 for the last)");
        var shape = trunk.StageShapes[s];
        if (shape.Length != 1)
            throw new ArgumentException($"task '{t.Name}': AttachDepth {t.AttachDepth} reads stage {s}, whose output is (B, {string.Join(", ", shape)}); a head needs flat features (B, D) — attach at another stage or end this one with Flatten or pooling");
        return s;
    }

    private KeyNotFoundException UnknownTask(string task) =>
        new($"Hierarchical: no task '{task}' (tasks: {string.Join(", ", _tasks.Select(t => t.Name))})");
}
