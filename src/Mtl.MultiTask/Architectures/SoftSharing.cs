// Soft parameter sharing: one trunk column per task, tied by an L2, trace-norm or shared/private orthogonality penalty.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>The regulariser that ties the columns of <see cref="SoftSharing"/>.</summary>
public enum SoftPenalty
{
    /// <summary>Σ_{i&lt;j} Σ_params ‖Θ_i − Θ_j‖² over corresponding parameters of the task columns (Duong et al. 2015).</summary>
    L2,
    /// <summary>
    /// Σ over corresponding weight tensors of ‖[vec Θ_1; …; vec Θ_K]‖_*, the nuclear norm of the K×P stack
    /// (Yang &amp; Hospedales 2017).
    /// </summary>
    TraceNorm,
    /// <summary>
    /// A shared trunk plus a private one per task, heads read [shared, private]; Σ_t ‖Sᵀ·P_t‖²_F on the batch's
    /// features (Liu et al. 2017; Bousmalis et al. 2016).
    /// </summary>
    Orthogonality,
}

/// <summary>Options of <see cref="SoftSharing"/>.</summary>
public sealed record SoftSharingOptions
{
    /// <summary>The penalty; L2 by default.</summary>
    public SoftPenalty Penalty { get; init; } = SoftPenalty.L2;

    /// <summary>Multiplier of the penalty in <see cref="SoftSharing.AuxiliaryLoss"/>; null = <see cref="DefaultCoefficient"/>.</summary>
    public double? Coefficient { get; init; }

    /// <summary>
    /// Stages (0-based) that are regularised. L2 and TraceNorm: whose parameters are tied; null = all stages.
    /// Orthogonality: whose (flattened) outputs are made orthogonal; null = the last stage, the features the heads read.
    /// </summary>
    public int[]? Stages { get; init; }

    /// <summary>
    /// Default coefficients, chosen so that at initialisation the term is a few per cent of two tasks' losses — a pull,
    /// not a clamp (figures for the LeNet trunk on MultiFashion and the 20→32→16 MLP on the synthetic tasks, 2 tasks):
    /// L2 1e-3 — Ω starts at ≈ (2/3)·Σ_layers fan_out per pair of independently initialised columns (55 and 34), so the
    /// term is ≈ 1 % of the losses, and SGD with lr 0.05, momentum 0.9 shrinks the columns' difference ≈ 0.2 % a step;
    /// TraceNorm 1e-2 — Ω grows with the square root of each weight's size (17 and 11), the term starts at ≈ 3.5 %; its
    /// pull (U·Vᵀ) keeps its strength as the columns approach, unlike L2's, so it needs no larger weight;
    /// Orthogonality 1e-4 — ‖SᵀP‖²_F sums B² products over D² feature pairs and grows with both (≈ 80 for LeNet
    /// features at batch 64, ≈ 6.7e3 for the MLP at batch 128: 0.2 % and 20 % of the losses); the papers' weights
    /// (about 0.01) assume bounded (tanh) or normalised features. Scale it with the batch size and width you use.
    /// </summary>
    public static double DefaultCoefficient(SoftPenalty penalty) => penalty switch
    {
        SoftPenalty.L2 => 1e-3,
        SoftPenalty.TraceNorm => 1e-2,
        SoftPenalty.Orthogonality => 1e-4,
        _ => throw new ArgumentOutOfRangeException(nameof(penalty), $"SoftSharing: unknown penalty {penalty}"),
    };
}

/// <summary>
/// Soft parameter sharing: every task t has its own column Θ_t (a fresh copy of the trunk's stages) and head, and a
/// regulariser, returned by <see cref="AuxiliaryLoss"/> already multiplied by its coefficient, keeps the columns close:
/// <list type="bullet">
/// <item><see cref="SoftPenalty.L2"/> — Duong, Cohn, Bird and Cook, "Low Resource Dependency Parsing: Cross-lingual
/// Parameter Sharing in a Neural Network Parser", ACL 2015: Ω = Σ_{i&lt;j} Σ_p ‖Θ_i,p − Θ_j,p‖².</item>
/// <item><see cref="SoftPenalty.TraceNorm"/> — Yang and Hospedales, "Trace Norm Regularised Deep Multi-Task Learning",
/// ICLR 2017 workshop (last-axis flattening): Ω = Σ_p ‖W_p‖_* with W_p (K, P) the K columns' flattened weight p
/// (tensors of rank ≥ 2; biases are not tied), low rank meaning the columns share a few directions.</item>
/// <item><see cref="SoftPenalty.Orthogonality"/> — Liu, Qiu and Huang, "Adversarial Multi-task Learning for Text
/// Classification", ACL 2017, and Bousmalis et al., "Domain Separation Networks", NeurIPS 2016: one shared trunk and
/// one private trunk per task; task t's head reads concat[S, P_t] (B, 2D), and Ω = Σ_t ‖Sᵀ·P_t‖²_F on the (B, D)
/// features of the last forward pass, pushing private features to what the shared ones
/// miss.</item>
/// </list>
/// Parameters: <c>columns.{task}.{stage}.*</c> (the private trunks under Orthogonality), <c>shared.{stage}.*</c>
/// (Orthogonality only), <c>heads.{task}.*</c>.
/// </summary>
public sealed class SoftSharing : MultiTaskModel
{
    private const string Name = "SoftSharing";
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly (string Name, Tensor[] PerTask)[] _tied;
    private readonly bool[] _orthogonalStage;
    private Tensor[]? _lastShared;        // per regularised stage: S (B, D)
    private Tensor[][]? _lastPrivate;     // per regularised stage, per task: P_t (B, D)

    /// <summary>K columns of <paramref name="trunk"/> (plus a shared one under Orthogonality) tied by the chosen penalty.</summary>
    public SoftSharing(Trunk trunk, IReadOnlyList<TaskSpec> tasks, SoftSharingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new SoftSharingOptions();
        Coefficient = o.Coefficient ?? SoftSharingOptions.DefaultCoefficient(o.Penalty);
        if (!(Coefficient >= 0) || double.IsInfinity(Coefficient))
            throw new ArgumentException($"{Name}: Coefficient must be finite and non-negative, got {Coefficient}");
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        bool orthogonal = o.Penalty == SoftPenalty.Orthogonality;
        RegularisedStages = ColumnStages.Choose(Name, nameof(SoftSharingOptions.Stages), o.Stages, trunk.Depth,
            orthogonal ? [trunk.Depth - 1] : Enumerable.Range(0, trunk.Depth).ToArray());
        int width = trunk.Width();
        HeadWidth = orthogonal ? 2 * width : width;
        if (orthogonal) Shared = RegisterModule("shared", new ModuleList<Module<Tensor, Tensor>>(trunk.BuildStages()));
        Columns = RegisterModule("columns", ColumnStages.Build(trunk, _tasks));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => HeadWidth));
        _orthogonalStage = new bool[trunk.Depth];
        if (orthogonal) foreach (var s in RegularisedStages) _orthogonalStage[s] = true;
        _tied = orthogonal ? [] : TiedParameters(o.Penalty);
    }

    /// <summary>Registry factory: one column of the context's trunk per task (and a shared one under Orthogonality).</summary>
    public static SoftSharing Create(ArchitectureContext context, SoftSharingOptions options) => new(context.Trunk, context.Tasks, options);

    public SoftSharingOptions Options { get; }

    /// <summary>The coefficient in use (the option, or the penalty's default).</summary>
    public double Coefficient { get; }

    /// <summary>The stages the penalty covers, ascending.</summary>
    public IReadOnlyList<int> RegularisedStages { get; }

    /// <summary>Width of the features each head reads: the trunk's, doubled under Orthogonality.</summary>
    public int HeadWidth { get; }

    /// <summary>Per task, its column's stages (its private trunk under Orthogonality).</summary>
    public ModuleDict<ModuleList<Module<Tensor, Tensor>>> Columns { get; }

    /// <summary>The shared trunk's stages under Orthogonality; null otherwise.</summary>
    public ModuleList<Module<Tensor, Tensor>>? Shared { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }

    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        _trunk.CheckInput(x, Name);
        if (Shared is null)
            return ColumnStages.Decode(Name, _tasks, Heads, _tasks.Select(t => ColumnStages.Run(Columns[t.Name], x)).ToArray(), HeadWidth);

        var shared = new List<Tensor>(RegularisedStages.Count);
        var s = x;
        for (int stage = 0; stage < _trunk.Depth; stage++)
        {
            s = Shared[stage].Forward(s);
            if (_orthogonalStage[stage]) shared.Add(Flat(s));
        }
        var features = new Tensor[_tasks.Length];
        var priv = new Tensor[RegularisedStages.Count][];
        for (int r = 0; r < priv.Length; r++) priv[r] = new Tensor[_tasks.Length];
        for (int i = 0; i < _tasks.Length; i++)
        {
            var p = x;
            for (int stage = 0, r = 0; stage < _trunk.Depth; stage++)
            {
                p = Columns[_tasks[i].Name][stage].Forward(p);
                if (_orthogonalStage[stage]) priv[r++][i] = Flat(p);
            }
            features[i] = JoinOps.Concat([s, p], 1);                                             // (B, 2D)
        }
        _lastShared = shared.ToArray();
        _lastPrivate = priv;
        return ColumnStages.Decode(Name, _tasks, Heads, features, HeadWidth);
    }

    /// <summary>
    /// Coefficient × the penalty, a 0-d tensor. L2 and TraceNorm read the parameters only; Orthogonality reads the
    /// features of the last <see cref="Forward"/>, so call it after a forward and inside the same tensor scope (as the
    /// trainer does).
    /// </summary>
    public override Tensor? AuxiliaryLoss() => Penalty().MulScalar(Coefficient);

    /// <summary>The penalty Ω without the coefficient, a 0-d tensor (see <see cref="SoftPenalty"/>).</summary>
    public Tensor Penalty() => Options.Penalty switch
    {
        SoftPenalty.L2 => Sum(_tied.Select(p => PairwiseSquaredDistance(p.PerTask))),
        SoftPenalty.TraceNorm => Sum(_tied.Select(p => JoinOps.Stack(p.PerTask.Select(t => t.Reshape(-1)).ToArray(), 0).NuclearNorm())), // (K, P)
        _ => Orthogonality(),
    };

    private Tensor Orthogonality()
    {
        if (_lastShared is null || _lastPrivate is null)
            throw new InvalidOperationException($"{Name}: the orthogonality penalty reads the features of the last Forward; call Forward first");
        if (_lastShared.Any(t => t.Storage.IsReleased))
            throw new InvalidOperationException(
                $"{Name}: the features of the last Forward were released with its tensor scope; compute AuxiliaryLoss inside the same scope");
        var terms = new List<Tensor>();
        for (int r = 0; r < _lastShared.Length; r++)
            foreach (var p in _lastPrivate[r]) terms.Add(_lastShared[r].T().MatMul(p).Square().Sum());   // ‖Sᵀ·P_t‖²_F of (D, D)
        return Sum(terms);
    }

    // Σ_{i<j} ‖θ_i − θ_j‖² for one parameter's copies.
    private static Tensor PairwiseSquaredDistance(Tensor[] copies)
    {
        var terms = new List<Tensor>();
        for (int i = 0; i < copies.Length; i++)
            for (int j = i + 1; j < copies.Length; j++) terms.Add(copies[i].Sub(copies[j]).Square().Sum());
        return Sum(terms);
    }

    private static Tensor Sum(IEnumerable<Tensor> terms)
    {
        Tensor? total = null;
        foreach (var t in terms) total = total is null ? t : total.Add(t);
        return total ?? Tensor.Scalar(0);
    }

    private static Tensor Flat(Tensor h) => h.Rank == 2 ? h : h.Reshape(h.Shape[0], -1);          // (B, D)

    // Corresponding parameters of the columns' regularised stages, by name; TraceNorm ties weights (rank ≥ 2) only.
    private (string, Tensor[])[] TiedParameters(SoftPenalty penalty)
    {
        var tied = new List<(string, Tensor[])>();
        foreach (var s in RegularisedStages)
        {
            var copies = _tasks.Select(t => Columns[t.Name][s].NamedParameters().ToDictionary(p => p.Name, p => p.Parameter))
                .ToArray();
            foreach (var (name, first) in Columns[_tasks[0].Name][s].NamedParameters())
            {
                if (penalty == SoftPenalty.TraceNorm && first.Rank < 2) continue;
                var perTask = copies.Select(c => c[name]).ToArray();
                if (perTask.Any(p => !p.Shape.SequenceEqual(first.Shape)))
                    throw new ArgumentException(
                        $"{Name}: stage {s} parameter '{name}' differs in shape between columns ({string.Join(", ", perTask.Select(p => p.ShapeString))})");
                tied.Add(($"{s}.{name}", perTask));
            }
        }
        return tied.ToArray();
    }
}
