// Cross-stitch networks (Misra et al. 2016): one trunk column per task, columns mixed linearly after chosen stages.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="CrossStitch"/> (defaults: the paper's initialisation, one unit after every stage but the last).</summary>
public sealed record CrossStitchOptions
{
    /// <summary>
    /// Stages (0-based) after which a cross-stitch unit mixes the columns; null = every stage but the last, as the paper
    /// stitches after each pooling / fully connected layer except the task outputs.
    /// </summary>
    public int[]? AfterStages { get; init; }

    /// <summary>
    /// Initial α_ii of every unit; the others start at (1 − SelfWeight)/(K − 1), so each row starts as a convex
    /// combination. 0.9 is the paper's (α_S, α_D) = (0.9, 0.1) for two tasks. Must lie in [0, 1].
    /// </summary>
    public double SelfWeight { get; init; } = 0.9;

    /// <summary>
    /// False: one K×K matrix per unit (the paper's unit shares α over all channels). True: one K×K matrix per channel
    /// (dimension 1 of the stage output: conv channels, or features of a flat stage), α of shape (C, K, K).
    /// </summary>
    public bool PerChannel { get; init; }
}

/// <summary>
/// Cross-stitch networks — Misra, Shrivastava, Gupta and Hebert, "Cross-stitch Networks for Multi-task Learning",
/// CVPR 2016. Each task t has its own column (a fresh copy of the trunk's stages). After each chosen stage s, a
/// cross-stitch unit replaces the K column activations by linear combinations h̃_i = Σ_j α_s[i, j]·h_j with a learned
/// α_s (K, K) — or (C, K, K), one matrix per channel. Heads read their column's last stage. α = identity gives K
/// independent networks; α = all 1/K gives one shared network, so training finds the sharing per layer.
/// <para>
/// The paper finds that the units want a larger learning rate than the network (α lives in [0, 1] while the layers'
/// gradients are scaled differently): <see cref="StitchParameters"/> and <see cref="NetworkParameters"/> split the
/// parameters for two <c>ParamGroup</c>s. Parameters: <c>columns.{task}.{stage}.*</c>, <c>stitch.{stage}</c> (the unit
/// after that stage), <c>heads.{task}.*</c>.
/// </para>
/// </summary>
public sealed class CrossStitch : MultiTaskModel
{
    private const string Name = "CrossStitch";
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly StitchUnits _units;

    /// <summary>K columns of <paramref name="trunk"/> (one per task) stitched after <see cref="CrossStitchOptions.AfterStages"/>.</summary>
    public CrossStitch(Trunk trunk, IReadOnlyList<TaskSpec> tasks, CrossStitchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new CrossStitchOptions();
        if (!(o.SelfWeight >= 0 && o.SelfWeight <= 1))
            throw new ArgumentException($"{Name}: SelfWeight must lie in [0, 1], got {o.SelfWeight}");
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        StitchStages = ColumnStages.Choose(Name, nameof(CrossStitchOptions.AfterStages), o.AfterStages, trunk.Depth,
            ColumnStages.AllButLast(trunk.Depth));
        int width = trunk.Width();
        Columns = RegisterModule("columns", ColumnStages.Build(trunk, _tasks));
        int k = _tasks.Length;
        var shapes = StitchStages.Select(s => o.PerChannel ? new[] { trunk.StageShapes[s][0], k, k } : new[] { k, k }).ToArray();
        _units = RegisterModule("stitch", new StitchUnits(StitchStages, shapes, o.SelfWeight));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => width));
    }

    /// <summary>Registry factory: one column of the context's trunk per task.</summary>
    public static CrossStitch Create(ArchitectureContext context, CrossStitchOptions options) => new(context.Trunk, context.Tasks, options);

    public CrossStitchOptions Options { get; }

    /// <summary>Per task, its column's stages.</summary>
    public ModuleDict<ModuleList<Module<Tensor, Tensor>>> Columns { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }

    /// <summary>The stages after which a unit mixes the columns, ascending.</summary>
    public IReadOnlyList<int> StitchStages { get; }

    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>The unit after stage <paramref name="stage"/>: α (K, K), or (C, K, K) per channel; rows index the receiving task.</summary>
    public Tensor Stitch(int stage) => _units.Alpha(stage);

    /// <summary>Every unit's α, in stage order — put them in their own <c>ParamGroup</c> for a larger learning rate.</summary>
    public IEnumerable<Tensor> StitchParameters() => StitchStages.Select(_units.Alpha);

    /// <summary>Every parameter but the units' (columns and heads).</summary>
    public IEnumerable<Tensor> NetworkParameters() => Columns.Parameters().Concat(Heads.Parameters());

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        _trunk.CheckInput(x, Name);
        var h = Enumerable.Repeat(x, _tasks.Length).ToArray();
        for (int s = 0; s < _trunk.Depth; s++)
        {
            for (int i = 0; i < _tasks.Length; i++) h[i] = Columns[_tasks[i].Name][s].Forward(h[i]);
            if (_units.Has(s)) h = Mix(s, h);
        }
        return ColumnStages.Decode(Name, _tasks, Heads, h, _trunk.Width());
    }

    // h̃_i = Σ_j α[i, j]·h_j for every column i; per channel, α[c] mixes channel c only.
    private Tensor[] Mix(int stage, Tensor[] h)
    {
        var alpha = _units.Alpha(stage);
        int k = h.Length, b = h[0].Shape[0];
        var sample = h[0].ShapeArray[1..];
        if (alpha.Rank == 3 && sample[0] != alpha.Shape[0])
            throw new ArgumentException(
                $"{Name}: stage {stage} produced {h[0].ShapeString}; its per-channel unit {alpha.ShapeString} expects {alpha.Shape[0]} channels in dimension 1");
        var stacked = JoinOps.Stack(h, 0);                                                   // (K, B, ...)
        Tensor mixed;
        if (alpha.Rank == 2)
            mixed = alpha.MatMul(stacked.Reshape(k, -1)).Reshape([k, b, .. sample]);         // (K, K)·(K, N) → (K, B, ...)
        else
        {
            int c = sample[0], rest = sample.Skip(1).Aggregate(1, (p, d) => p * d);
            var perChannel = stacked.Reshape(k, b, c, rest).Permute(2, 0, 1, 3).Reshape(c, k, b * rest);   // (C, K, B·S)
            mixed = alpha.MatMul(perChannel).Reshape(c, k, b, rest).Permute(1, 2, 0, 3)                    // (K, B, C, S)
                .Reshape([k, b, .. sample]);
        }
        return Enumerable.Range(0, k).Select(i => mixed.Select(0, i)).ToArray();
    }

    /// <summary>The units' α parameters, named by the stage they follow; reset to the initial mixing.</summary>
    private sealed class StitchUnits : Module
    {
        private readonly Dictionary<int, Tensor> _alpha = [];
        private readonly double _self;

        public StitchUnits(IReadOnlyList<int> stages, int[][] shapes, double selfWeight)
        {
            _self = selfWeight;
            for (int u = 0; u < stages.Count; u++)
            {
                string name = stages[u].ToString(System.Globalization.CultureInfo.InvariantCulture);
                _alpha[stages[u]] = RegisterParameter(name, Tensor.EmptyUnscoped(shapes[u]))!;
            }
            using (GradMode.NoGrad()) ResetOwnParameters(Init.DefaultGenerator);
        }

        public bool Has(int stage) => _alpha.ContainsKey(stage);

        public Tensor Alpha(int stage) => _alpha.TryGetValue(stage, out var a) ? a
            : throw new KeyNotFoundException($"{Name}: no cross-stitch unit after stage {stage} (units after: {string.Join(", ", _alpha.Keys.Order())})");

        // α_ii = SelfWeight, α_ij = (1 − SelfWeight)/(K − 1); one task: α = 1 (the only convex combination).
        protected override void ResetOwnParameters(Generator generator)
        {
            foreach (var a in _alpha.Values)
            {
                int k = a.Shape[^1], blocks = a.Numel / (k * k);
                double other = k == 1 ? 0 : (1 - _self) / (k - 1), self = k == 1 ? 1 : _self;
                var values = new float[a.Numel];
                for (int m = 0; m < blocks; m++)
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) values[m * k * k + i * k + j] = (float)(i == j ? self : other);
                a.CopyFrom<float>(values);
            }
        }
    }
}
