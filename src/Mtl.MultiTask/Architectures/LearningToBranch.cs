// Learning to Branch (Guo, Lee & Ulbricht 2020): a tree of trunk-stage copies whose parent links are Gumbel-softmax choices.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="LearningToBranch"/> (defaults: the paper's τ = 1 with soft samples).</summary>
public sealed record LearningToBranchOptions
{
    /// <summary>
    /// Nodes per trunk stage, one entry per stage; the last must equal the number of tasks. Null = 1 at the first
    /// stage, K (tasks) at the last, and 2^s clamped to K at stage s in between.
    /// </summary>
    public IReadOnlyList<int>? Branches { get; init; }

    /// <summary>Initial Gumbel-softmax temperature τ (&gt; 0); anneal it through <see cref="LearningToBranch.Temperature"/>.</summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Straight-through samples: the forward pass uses the one-hot argmax, gradients the soft sample's.</summary>
    public bool Hard { get; init; }

    /// <summary>Seed of the generator that draws the Gumbel noise (one draw per node per training forward).</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Learning to Branch — Guo, Lee &amp; Ulbricht, "Learning to Branch for Multi-Task Learning", ICML 2020. Stage s of
/// the trunk is copied into N_s nodes (fresh parameters each). A node at stage s &gt; 0 has logits ℓ over the
/// N_{s−1} nodes of the stage before; in training its input is Σ_p w_p · out_p with
/// w = softmax((ℓ + g) / τ), g_p = −log(−log U_p) Gumbel noise drawn from a generator seeded by
/// <see cref="LearningToBranchOptions.Seed"/> (once per node per forward, shared by the batch), and with
/// <see cref="LearningToBranchOptions.Hard"/> the straight-through w = onehot(argmax w) − sg(w) + w. In evaluation
/// mode each node reads only its argmax parent, so the model is the discrete tree <see cref="Structure"/> reports.
/// Stage-0 nodes read the input; the last stage has one node per task and task k's head reads node k.
/// The paper trains ℓ with its own optimiser: <see cref="BranchingParameters"/> and <see cref="NetworkParameters"/>
/// split the parameters for that. Parameters: <c>stages.{s}.{node}.*</c>, <c>branch.{s}.{node}</c> (logits, s ≥ 1),
/// <c>heads.{task}.*</c>.
/// </summary>
public sealed class LearningToBranch : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly ModuleDict<BranchLogits> _branch;
    private readonly Generator _noise;
    private double _temperature;

    public LearningToBranch(Trunk trunk, IReadOnlyList<TaskSpec> tasks, LearningToBranchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new LearningToBranchOptions();
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        Branches = ResolveBranches(o.Branches, trunk.Depth, _tasks);
        Temperature = o.Temperature;
        _noise = new Generator(o.Seed);
        var last = trunk.StageShapes[^1];
        if (last.Length != 1)
            throw new ArgumentException($"LearningToBranch: the heads read the last stage ({trunk.Depth - 1}), whose output is (B, {string.Join(", ", last)}); they need flat features (B, D) — end the trunk with Flatten or pooling");

        Stages = RegisterModule("stages", new ModuleList<ModuleList<Module<Tensor, Tensor>>>(Enumerable.Range(0, trunk.Depth).Select(s =>
            new ModuleList<Module<Tensor, Tensor>>(Enumerable.Range(0, Branches[s]).Select(_ => trunk.BuildStage(s))))));
        _branch = RegisterModule("branch", new ModuleDict<BranchLogits>(Enumerable.Range(1, trunk.Depth - 1).Select(s =>
            new KeyValuePair<string, BranchLogits>(Key(s), new BranchLogits(Branches[s], Branches[s - 1])))));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => last[0]));
    }

    /// <summary>Registry factory: stage copies of the context's trunk, one leaf per task.</summary>
    public static LearningToBranch Create(ArchitectureContext context, LearningToBranchOptions options) => new(context.Trunk, context.Tasks, options);

    public LearningToBranchOptions Options { get; }

    /// <summary>Nodes per stage, N_0 … N_{D−1} (N_{D−1} = number of tasks).</summary>
    public IReadOnlyList<int> Branches { get; }

    /// <summary>The stage copies: <c>Stages[s][node]</c>.</summary>
    public ModuleList<ModuleList<Module<Tensor, Tensor>>> Stages { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>
    /// Gumbel-softmax temperature τ of the next training forward passes. Set it between epochs or steps to anneal
    /// (e.g. τ ← max(0.1, τ·0.9) per epoch); small τ makes samples nearly one-hot.
    /// </summary>
    public double Temperature
    {
        get => _temperature;
        set => _temperature = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "LearningToBranch: Temperature must be positive and finite");
    }

    /// <summary>Restarts the Gumbel noise generator (e.g. to replay a run from a checkpoint).</summary>
    public void ReseedNoise(ulong seed) => _noise.Reseed(seed);

    /// <summary>The branching logits, stage by stage (give them their own optimiser or learning rate, as the paper).</summary>
    public IEnumerable<Tensor> BranchingParameters() => _branch.Parameters();

    /// <summary>Every parameter except the branching logits: the stage copies and the heads.</summary>
    public IEnumerable<Tensor> NetworkParameters()
    {
        var logits = new HashSet<Tensor>(BranchingParameters(), ReferenceEqualityComparer.Instance);
        return Parameters().Where(p => !logits.Contains(p));
    }

    /// <summary>The logits of every node at stage <paramref name="stage"/> (s ≥ 1), (N_s, N_{s−1}).</summary>
    public Tensor BranchLogitsOf(int stage) => JoinOps.Stack(Logits(stage).Nodes, 0);

    /// <summary>
    /// The parent weights of stage <paramref name="stage"/>'s nodes, (N_s, N_{s−1}), rows summing to 1: a fresh
    /// Gumbel-softmax sample in training mode (this draws noise), the one-hot argmax in evaluation mode.
    /// </summary>
    public Tensor BranchWeights(int stage)
    {
        var logits = BranchLogitsOf(stage);                                                  // (N_s, N_{s−1})
        if (!Training) return Tensor.From(ChosenParents(stage), Branches[stage]).OneHot(Branches[stage - 1], logits.DType);
        return GumbelSoftmax(logits, GumbelNoise(Branches[stage], Branches[stage - 1], logits.DType), Temperature, Options.Hard);
    }

    /// <summary>
    /// The tree as it stands: <c>Structure()[s][node]</c> is the argmax parent of that node at stage s (−1 at stage 0,
    /// whose nodes read the input).
    /// </summary>
    public IReadOnlyList<int[]> Structure() =>
        Enumerable.Range(0, Branches.Count).Select(s => s == 0 ? Enumerable.Repeat(-1, Branches[0]).ToArray() : ChosenParents(s)).ToList();

    /// <summary>The node each stage gives task <paramref name="task"/> in the current tree, from stage 0 to its leaf.</summary>
    public int[] TaskPath(string task)
    {
        int k = Array.FindIndex(_tasks, t => t.Name == task);
        if (k < 0) throw new KeyNotFoundException($"LearningToBranch: no task '{task}' (tasks: {string.Join(", ", _tasks.Select(t => t.Name))})");
        var structure = Structure();
        var path = new int[Branches.Count];
        path[^1] = k;
        for (int s = Branches.Count - 1; s > 0; s--) path[s - 1] = structure[s][path[s]];
        return path;
    }

    /// <summary>Per-task outputs: logits (B, C) for classification, values (B, K) for regression.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        _trunk.CheckInput(x, "LearningToBranch");
        var outs = Stages[0].Select(node => node.Forward(x)).ToArray();                   // N_0 × (B, …)
        for (int s = 1; s < Stages.Count; s++)
        {
            Tensor[] inputs;
            if (Training) inputs = Mix(BranchWeights(s), outs);                               // Σ_p w_p · out_p per node
            else inputs = ChosenParents(s).Select(p => outs[p]).ToArray();                    // the argmax parent
            outs = Stages[s].Select((node, n) => node.Forward(inputs[n])).ToArray();
        }
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        for (int k = 0; k < _tasks.Length; k++)
        {
            var t = _tasks[k];
            var y = Heads[t.Name].Forward(outs[k]);                                          // leaf k → task k
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        return outputs;
    }

    /// <summary>
    /// Gumbel-softmax over the last axis: softmax((logits + gumbel) / τ), or with <paramref name="hard"/> the
    /// straight-through one-hot of its argmax (forward one-hot, gradient of the soft sample).
    /// </summary>
    internal static Tensor GumbelSoftmax(Tensor logits, Tensor gumbel, double temperature, bool hard)
    {
        var soft = logits.Add(gumbel).DivScalar(temperature).Softmax(-1);                      // (N, P)
        if (!hard) return soft;
        var oneHot = soft.Argmax(-1).OneHot(soft.Shape[^1], soft.DType);                        // (N, P)
        return oneHot.Sub(soft.Detach()).Add(soft);
    }

    /// <summary>Node n's input Σ_p weights[n, p] · parents[p], for every row n of <paramref name="weights"/> (N, P).</summary>
    internal static Tensor[] Mix(Tensor weights, IReadOnlyList<Tensor> parents)
    {
        if (weights.Rank != 2 || weights.Shape[1] != parents.Count)
            throw new ArgumentException($"LearningToBranch: weights {weights.ShapeString} do not match {parents.Count} parents");
        var shape = parents[0].ShapeArray;                                                     // (B, …)
        var stacked = JoinOps.Stack(parents, 0).Reshape(parents.Count, parents[0].Numel);      // (P, M)
        var mixed = weights.MatMul(stacked);                                                   // (N, M)
        return Enumerable.Range(0, weights.Shape[0]).Select(n => mixed.Select(0, n).Reshape(shape)).ToArray();
    }

    // Standard Gumbel noise −log(−log U) with U strictly inside (0, 1), so every value is finite.
    private Tensor GumbelNoise(int rows, int cols, DType dtype)
    {
        var g = new double[rows * cols];
        for (int i = 0; i < g.Length; i++)
        {
            double u = ((_noise.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
            g[i] = -Math.Log(-Math.Log(u));
        }
        return dtype == DType.Float64 ? Tensor.From(g, rows, cols) : Tensor.From(g.Select(v => (float)v).ToArray(), rows, cols);
    }

    private int[] ChosenParents(int stage) => Logits(stage).Nodes.Select(l =>
    {
        var v = l.ToDoubleArray();
        int best = 0;
        for (int p = 1; p < v.Length; p++) if (v[p] > v[best]) best = p;
        return best;
    }).ToArray();

    private BranchLogits Logits(int stage)
    {
        if (stage < 1 || stage >= Branches.Count)
            throw new ArgumentOutOfRangeException(nameof(stage), $"LearningToBranch: stage {stage} has no branching logits (stages 1..{Branches.Count - 1} do)");
        return _branch[Key(stage)];
    }

    private static IReadOnlyList<int> ResolveBranches(IReadOnlyList<int>? branches, int depth, TaskSpec[] tasks)
    {
        int k = tasks.Length;
        if (branches is null)
            return Enumerable.Range(0, depth).Select(s => s == depth - 1 ? k : s == 0 ? 1 : Math.Min(1 << Math.Min(s, 30), k)).ToArray();
        string given = $"({string.Join(", ", branches)})";
        if (branches.Count != depth)
            throw new ArgumentException($"LearningToBranch: Branches {given} has {branches.Count} entries; the trunk has {depth} stages");
        if (branches.Any(n => n <= 0)) throw new ArgumentException($"LearningToBranch: Branches {given} must all be positive");
        if (branches[^1] != k)
            throw new ArgumentException($"LearningToBranch: Branches {given} ends in {branches[^1]} nodes; the last stage needs one per task, {k} ({string.Join(", ", tasks.Select(t => t.Name))})");
        return branches.ToArray();
    }

    private static string Key(int stage) => stage.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The logits of one stage's nodes, one parameter per node (named by the node's index), zeros = uniform over parents.
    private sealed class BranchLogits : Module
    {
        public BranchLogits(int nodes, int parents)
        {
            Nodes = Enumerable.Range(0, nodes)
                .Select(n => RegisterParameter(Key(n), Tensor.EmptyUnscoped([parents]).Zero())!).ToArray();
        }

        public Tensor[] Nodes { get; }
    }
}
