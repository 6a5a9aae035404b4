// CGC and PLE (Tang et al. 2020): shared and task-specific experts, per-task gates, stacked as progressive extraction levels.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// Options of the <c>cgc</c> architecture (a <see cref="Ple"/> with one level). Neither the paper nor LibMTL fixes
/// default expert counts (LibMTL requires <c>--num_experts</c>); the defaults are the smallest CGC, one shared expert
/// and one expert per task, so two tasks cost three trunk copies.
/// </summary>
public sealed record CgcOptions
{
    /// <summary>Experts shared by every task (m_s in the paper); ≥ 0.</summary>
    public int SharedExperts { get; init; } = 1;

    /// <summary>Experts owned by each task (m_k in the paper); ≥ 0, and SharedExperts + TaskExperts ≥ 1.</summary>
    public int TaskExperts { get; init; } = 1;
}

/// <summary>Options of the <c>ple</c> architecture (defaults as <see cref="CgcOptions"/>, one level per trunk stage).</summary>
public sealed record PleOptions
{
    /// <summary>Shared experts per level (m_s); ≥ 0.</summary>
    public int SharedExperts { get; init; } = 1;

    /// <summary>Experts per task per level (m_k); ≥ 0, and SharedExperts + TaskExperts ≥ 1.</summary>
    public int TaskExperts { get; init; } = 1;

    /// <summary>
    /// Extraction levels: 0 (default) = one level per trunk stage; n ≤ trunk depth splits the stages into n contiguous
    /// groups as evenly as possible (level l holds stages ⌊l·D/n⌋ … ⌊(l+1)·D/n⌋ − 1); 1 = the whole trunk, i.e. CGC.
    /// </summary>
    public int Levels { get; init; }
}

/// <summary>The gate weights of one level: task → (B, TaskExperts + SharedExperts), and the shared gate (B, all experts) or null.</summary>
/// <param name="Tasks">Each task's softmax over [its own experts ; the shared experts].</param>
/// <param name="Shared">The shared module's softmax over [every task's experts in task order ; the shared experts]; null at the last level or without shared experts.</param>
public sealed record PleGates(IReadOnlyDictionary<string, Tensor> Tasks, Tensor? Shared);

/// <summary>
/// One extraction level of <see cref="Ple"/>: copies of some trunk stages as shared experts (<c>shared.{j}</c>) and
/// task experts (<c>tasks.{task}.{j}</c>), a gate per task (<c>gates.{task}</c>) and, below the last level, the shared
/// gate (<c>shared_gate</c>). Each expert is a <see cref="Sequential"/> of the level's stages (children 0, 1, …).
/// </summary>
public sealed class PleLevel : Module
{
    internal PleLevel(Trunk trunk, int firstStage, int stageCount, IReadOnlyList<TaskSpec> tasks, int sharedExperts, int taskExperts,
        bool sharedGate, Generator? generator)
    {
        FirstStage = firstStage;
        StageCount = stageCount;
        var inputShape = firstStage == 0 ? trunk.InputShape.ToArray() : trunk.StageShapes[firstStage - 1];
        InputDim = inputShape.Aggregate(1, (a, b) => a * b);
        OutputShape = trunk.StageShapes[firstStage + stageCount - 1];
        Sequential Expert() => new([.. Enumerable.Range(firstStage, stageCount).Select(trunk.BuildStage)]);
        Shared = RegisterModule("shared", new ModuleList<Sequential>(Enumerable.Range(0, sharedExperts).Select(_ => Expert())));
        TaskExperts = RegisterModule("tasks", new ModuleDict<ModuleList<Sequential>>(tasks.Select(t => new KeyValuePair<string, ModuleList<Sequential>>(
            t.Name, new ModuleList<Sequential>(Enumerable.Range(0, taskExperts).Select(_ => Expert()))))));
        Gates = RegisterModule("gates", new ModuleDict<Linear>(tasks.Select(t =>
            new KeyValuePair<string, Linear>(t.Name, new Linear(InputDim, taskExperts + sharedExperts, generator: generator)))));
        if (sharedGate && sharedExperts > 0)
            SharedGate = RegisterModule("shared_gate", new Linear(InputDim, tasks.Count * taskExperts + sharedExperts, generator: generator));
    }

    /// <summary>Index of the first trunk stage this level copies.</summary>
    public int FirstStage { get; }

    /// <summary>Number of trunk stages in each expert of this level.</summary>
    public int StageCount { get; }

    /// <summary>Features the gates read: the flattened per-sample input of this level.</summary>
    public int InputDim { get; }

    /// <summary>Per-sample shape of every expert's (and so every gate mixture's) output.</summary>
    public int[] OutputShape { get; }

    /// <summary>Experts every task may use.</summary>
    public ModuleList<Sequential> Shared { get; }

    /// <summary>Each task's own experts.</summary>
    public ModuleDict<ModuleList<Sequential>> TaskExperts { get; }

    /// <summary>Per-task gates: Linear(InputDim → TaskExperts + SharedExperts), softmax applied in the forward pass.</summary>
    public ModuleDict<Linear> Gates { get; }

    /// <summary>The shared module's gate over all experts (null at the last level and without shared experts).</summary>
    public Linear? SharedGate { get; }
}

/// <summary>
/// CGC and PLE — Tang, Liu, Zhao, Gong, "Progressive Layered Extraction (PLE): A Novel Multi-Task Learning (MTL) Model
/// for Personalized Recommendations", RecSys 2020. At each level, task k's experts E_k,1..m_k read the task's
/// representation h_k and the shared experts E_s,1..m_s read the shared representation h_s (both start as the input x);
/// task k's gate mixes them, h_k ← Σ softmax(W_k·flat(h_k)) · [E_k ; E_s], and below the last level the shared gate mixes
/// every expert, h_s ← Σ softmax(W_s·flat(h_s)) · [E_1 ; … ; E_K ; E_s]. Level l's experts are copies of trunk stage l
/// (or of a group of stages, see <see cref="PleOptions.Levels"/>); with one level (the whole trunk) this is CGC. Task k's
/// head (tower) reads its last-level h_k. Parameters: <c>levels.{l}.shared.{j}.*</c>, <c>levels.{l}.tasks.{task}.{j}.*</c>,
/// <c>levels.{l}.gates.{task}.*</c>, <c>levels.{l}.shared_gate.*</c>, <c>heads.{task}.*</c>.
/// </summary>
public sealed class Ple : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly string _name;

    /// <summary>Builds the levels from copies of <paramref name="trunk"/>'s stages; gates draw from <paramref name="generator"/>.</summary>
    public Ple(Trunk trunk, IReadOnlyList<TaskSpec> tasks, PleOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new PleOptions();
        int levels = o.Levels == 0 ? trunk.Depth : o.Levels;
        _name = levels == 1 ? "CGC" : "PLE";
        if (o.SharedExperts < 0 || o.TaskExperts < 0 || o.SharedExperts + o.TaskExperts == 0)
            throw new ArgumentException($"{_name}: SharedExperts ({o.SharedExperts}) and TaskExperts ({o.TaskExperts}) must be ≥ 0 with at least one expert per gate");
        if (levels < 1 || levels > trunk.Depth)
            throw new ArgumentException($"{_name}: Levels = {o.Levels} must be 0 (one per stage) or between 1 and the trunk depth {trunk.Depth}");
        if (trunk.InputDType != DType.Float32)
            throw new ArgumentException($"{_name}: the gates read the flattened input, which must be Float32; the trunk takes {trunk.InputDType}");
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o with { Levels = levels };
        Levels = RegisterModule("levels", new ModuleList<PleLevel>(Enumerable.Range(0, levels).Select(l =>
        {
            int first = l * trunk.Depth / levels, end = (l + 1) * trunk.Depth / levels;
            return new PleLevel(trunk, first, end - first, tasks, o.SharedExperts, o.TaskExperts, sharedGate: l < levels - 1, generator);
        })));
        int width = trunk.Width();
        Heads = RegisterModule("heads", TaskHeads.Build(tasks, t => width));
    }

    /// <summary>Registry factory of <c>ple</c>: one level per trunk stage unless <see cref="PleOptions.Levels"/> says otherwise.</summary>
    public static Ple Create(ArchitectureContext context, PleOptions options) => new(context.Trunk, context.Tasks, options);

    /// <summary>Registry factory of <c>cgc</c>: a single level whose experts are copies of the whole trunk.</summary>
    public static Ple CreateCgc(ArchitectureContext context, CgcOptions options) => new(context.Trunk, context.Tasks,
        new PleOptions { SharedExperts = options.SharedExperts, TaskExperts = options.TaskExperts, Levels = 1 });

    /// <summary>The options in use, with <see cref="PleOptions.Levels"/> resolved to the actual number of levels.</summary>
    public PleOptions Options { get; }
    public ModuleList<PleLevel> Levels { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>Every level's gate weights for a batch (rows sum to 1), first level first.</summary>
    public IReadOnlyList<PleGates> GateWeights(Tensor x)
    {
        var gates = new List<PleGates>(Levels.Count);
        Extract(x, gates);
        return gates;
    }

    /// <summary>Per-task outputs: each task's head applied to its last-level representation.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        var representations = Extract(x, null);
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            var y = Heads[t.Name].Forward(representations[t.Name]);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        return outputs;
    }

    /// <summary>Runs every level; returns each task's last-level representation (B, width), recording gates when asked.</summary>
    private Dictionary<string, Tensor> Extract(Tensor x, List<PleGates>? record)
    {
        _trunk.CheckInput(x, _name);
        var taskInputs = _tasks.ToDictionary(t => t.Name, _ => x, StringComparer.Ordinal);
        var shared = x;
        foreach (var level in Levels)
        {
            var sharedOut = level.Shared.Select(e => e.Forward(shared)).ToList();                   // m_s × (B, ...S)
            var taskOut = new List<Tensor>(_tasks.Length * Options.TaskExperts);
            var next = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
            var gates = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
            foreach (var t in _tasks)
            {
                var h = taskInputs[t.Name];
                var own = level.TaskExperts[t.Name].Select(e => e.Forward(h)).ToList();           // m_k × (B, ...S)
                taskOut.AddRange(own);
                var gate = level.Gates[t.Name].Forward(Flat(h)).Softmax(-1);                      // (B, m_k + m_s)
                gates[t.Name] = gate;
                next[t.Name] = Mix([.. own, .. sharedOut], gate, level.OutputShape);
            }
            Tensor? sharedGate = null;
            if (level.SharedGate is { } sg)
            {
                sharedGate = sg.Forward(Flat(shared)).Softmax(-1);                                 // (B, K·m_k + m_s)
                shared = Mix([.. taskOut, .. sharedOut], sharedGate, level.OutputShape);
            }
            record?.Add(new PleGates(gates, sharedGate));
            taskInputs = next;
        }
        return taskInputs;
    }

    private static Tensor Flat(Tensor h) => h.Rank == 2 ? h : h.Reshape(h.Shape[0], -1);          // (B, D)

    /// <summary>Σ_j gate[:, j] · experts[j]: experts m × (B, ...S), gate (B, m) → (B, ...S).</summary>
    private Tensor Mix(IReadOnlyList<Tensor> experts, Tensor gate, int[] shape)
    {
        int b = gate.Shape[0];
        foreach (var e in experts)
            if (e.Rank != shape.Length + 1 || e.Shape[0] != b || !e.Shape[1..].SequenceEqual(shape))
                throw new ArgumentException($"{_name}: an expert produced {e.ShapeString}; the probed trunk stage gives (B, {string.Join(", ", shape)}) for B = {b}");
        var stacked = JoinOps.Stack(experts, 1).Reshape(b, experts.Count, -1);                    // (B, m, F)
        var mixed = gate.Unsqueeze(1).MatMul(stacked);                                             // (B, 1, F)
        return mixed.Reshape([b, .. shape]);                                                       // (B, ...S)
    }
}
