// MTAN (Liu, Johns & Davison 2019): one shared trunk and, per task, a learned soft attention mask on each stage's output.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>How MTAN brings a task's features of stage s−1 to the shape of stage s before its next attention module.</summary>
public enum MtanTransfer
{
    /// <summary>Through the shared trunk's own stage-s block (no extra parameters; the default).</summary>
    SharedStage,

    /// <summary>
    /// Through one extra copy of the stage-s block, shared by all tasks (the official code's <c>encoder_block_att</c>);
    /// parameters <c>transfer.{stage}.*</c>. Use it when the trunk has batch norm whose running statistics should only
    /// see shared features.
    /// </summary>
    StageCopy,
}

/// <summary>Options of <see cref="Mtan"/> (defaults: the paper's set-up, attention on every stage).</summary>
public sealed record MtanOptions
{
    /// <summary>Stages that carry an attention module per task (null = every stage, as in the paper).</summary>
    public IReadOnlyList<int>? AtStages { get; init; }

    /// <summary>Hidden width of each attention block g (null = the stage's channels or features, as the paper).</summary>
    public int? AttentionWidth { get; init; }

    /// <summary>How the previous task features reach the next stage's shape.</summary>
    public MtanTransfer Transfer { get; init; } = MtanTransfer.SharedStage;
}

/// <summary>
/// MTAN — Liu, Johns &amp; Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019. The trunk's stages are
/// shared: h_s = stage_s(h_{s−1}). Each task t has a soft attention module g_t^s at every attention stage s, producing
/// a mask of the stage's shape, a_t^s = σ(g_t^s([h_s ; f_s(â_t^{s−1})])) (just σ(g_t^s(h_s)) at the first attention
/// stage), and task features â_t^s = a_t^s ⊙ h_s. Between attention stages the task features travel on through
/// f_s (see <see cref="MtanTransfer"/>). Task t's head reads â_t at the last stage, which must be flat (B, D).
/// <para>
/// Two choices where the paper's network is more detailed than a trunk stage. (1) The paper feeds the mask with
/// u_s, the features inside block s before its last layer; a trunk stage is one opaque block, so u_s is taken to be
/// the stage output h_s itself. (2) f_s, which brings â_t^{s−1} to stage s's shape, is by default the shared stage-s
/// block itself: it is the only map that fits any stage (a LeNet stage goes from (10, 12, 12) to (320)), it adds no
/// parameters, and it puts f_s(â_t^{s−1}) in the same feature space as h_s, so the concatenation compares like with
/// like from the first step (the official code uses a separate layer mirroring the block, <see cref="MtanTransfer.StageCopy"/>).
/// </para>
/// g for image features (B, C, H, W): Conv1×1(→width) BN ReLU Conv1×1(→C) BN Sigmoid, concatenating on channels; for
/// any other features (B, …, D): Linear(→width) ReLU Linear(→D) Sigmoid over the last axis. Parameters:
/// <c>trunk.{stage}.*</c>, <c>attention.{task}.{stage}.*</c>, <c>heads.{task}.*</c> (and <c>transfer.{stage}.*</c>).
/// </summary>
public sealed class Mtan : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;
    private readonly bool[] _attends;
    private readonly ModuleDict<Module<Tensor, Tensor>>? _transfer;

    public Mtan(Trunk trunk, IReadOnlyList<TaskSpec> tasks, MtanOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new MtanOptions();
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        AttentionStages = ResolveStages(o.AtStages, trunk.Depth);
        _attends = new bool[trunk.Depth];
        foreach (var s in AttentionStages) _attends[s] = true;
        if (o.AttentionWidth is <= 0) throw new ArgumentException($"Mtan: AttentionWidth must be positive, got {o.AttentionWidth}");
        var shapes = trunk.StageShapes;
        if (shapes[^1].Length != 1)
            throw new ArgumentException($"Mtan: the heads read the last stage ({trunk.Depth - 1}), whose output is (B, {string.Join(", ", shapes[^1])}); they need flat features (B, D) — end the trunk with Flatten or pooling");
        int width = shapes[^1][0];

        Trunk = RegisterModule("trunk", new ModuleList<Module<Tensor, Tensor>>(trunk.BuildStages()));
        Attention = RegisterModule("attention", new ModuleDict<ModuleDict<Sequential>>(_tasks.Select(t =>
            new KeyValuePair<string, ModuleDict<Sequential>>(t.Name, new ModuleDict<Sequential>(AttentionStages.Select(s =>
                new KeyValuePair<string, Sequential>(Key(s), MaskBlock(shapes[s], s > AttentionStages[0], o.AttentionWidth, generator))))))));
        Heads = RegisterModule("heads", TaskHeads.Build(_tasks, t => width));
        if (o.Transfer == MtanTransfer.StageCopy)
            _transfer = RegisterModule("transfer", new ModuleDict<Module<Tensor, Tensor>>(
                Enumerable.Range(AttentionStages[0] + 1, trunk.Depth - AttentionStages[0] - 1)
                    .Select(s => new KeyValuePair<string, Module<Tensor, Tensor>>(Key(s), trunk.BuildStage(s)))));
    }

    /// <summary>Registry factory: the context's trunk is shared, with attention modules for every task.</summary>
    public static Mtan Create(ArchitectureContext context, MtanOptions options) => new(context.Trunk, context.Tasks, options);

    public MtanOptions Options { get; }

    /// <summary>The stages carrying attention, ascending.</summary>
    public IReadOnlyList<int> AttentionStages { get; }

    /// <summary>The shared trunk's stages.</summary>
    public ModuleList<Module<Tensor, Tensor>> Trunk { get; }

    /// <summary>Attention blocks g by task, then by stage index (as text).</summary>
    public ModuleDict<ModuleDict<Sequential>> Attention { get; }

    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>Each task's attention masks for a batch: task → stage → mask a_t^s, of that stage's output shape, in (0, 1).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<int, Tensor>> AttentionMasks(Tensor x)
    {
        var masks = _tasks.ToDictionary(t => t.Name, _ => new Dictionary<int, Tensor>(), StringComparer.Ordinal);
        Run(x, masks);
        return masks.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<int, Tensor>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Per-task outputs: logits (B, C) for classification, values (B, K) for regression.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        var features = Run(x, null);
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        for (int k = 0; k < _tasks.Length; k++)
        {
            var t = _tasks[k];
            var y = Heads[t.Name].Forward(features[k]);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        return outputs;
    }

    // The task features â_t at the last stage, (B, D) each, in task order; records the masks when asked.
    private Tensor[] Run(Tensor x, Dictionary<string, Dictionary<int, Tensor>>? masks)
    {
        _trunk.CheckInput(x, "Mtan");
        var task = new Tensor?[_tasks.Length];   // â_t^{s}; null while the task still reads the shared stream
        var h = x;
        for (int s = 0; s < Trunk.Count; s++)
        {
            var stage = Trunk[s];
            h = stage.Forward(h);                                                             // h_s, e.g. (B, C, H, W)
            var f = _transfer is null ? stage : _transfer.TryGetValue(Key(s), out var copy) ? copy : stage;
            for (int k = 0; k < _tasks.Length; k++)
            {
                var carried = task[k] is { } previous ? f.Forward(previous) : null;          // f_s(â_t^{s−1}), h_s's shape
                if (!_attends[s])
                {
                    task[k] = carried;
                    continue;
                }
                var mask = Mask(_tasks[k], s, h, carried);                                    // a_t^s, h_s's shape
                masks?[_tasks[k].Name].Add(s, mask);
                task[k] = mask.Mul(h);                                                         // â_t^s = a_t^s ⊙ h_s
            }
        }
        return task.Select(a => a ?? h).ToArray();
    }

    private Tensor Mask(TaskSpec t, int s, Tensor h, Tensor? carried)
    {
        if (carried is not null && !ShapeUtil.SameShape(carried.Shape, h.Shape))
            throw new ArgumentException($"Mtan: task '{t.Name}' stage {s}: the transferred task features {carried.ShapeString} do not match the stage output {h.ShapeString}");
        var input = carried is null ? h : JoinOps.Concat([h, carried], h.Rank == 4 ? 1 : h.Rank - 1);  // [h_s ; f_s(â_t^{s−1})]
        return Attention[t.Name][Key(s)].Forward(input);
    }

    // g_t^s: two 1×1 convolutions with BN (image features) or two Linear layers over the last axis, then a sigmoid.
    private static Sequential MaskBlock(int[] shape, bool hasPrevious, int? width, Generator? g)
    {
        bool image = shape.Length == 3;
        int c = image ? shape[0] : shape[^1];
        int inputs = hasPrevious ? 2 * c : c, hidden = width ?? c;
        // The 1×1 convolutions have no bias: the BatchNorm after each removes the mean, so a bias would get no gradient.
        return image
            ? new Sequential(new Conv2d(inputs, hidden, 1, bias: false, generator: g), new BatchNorm2d(hidden), new ReLU(),
                new Conv2d(hidden, c, 1, bias: false, generator: g), new BatchNorm2d(c), new Sigmoid())
            : new Sequential(new Linear(inputs, hidden, generator: g), new ReLU(), new Linear(hidden, c, generator: g), new Sigmoid());
    }

    private static IReadOnlyList<int> ResolveStages(IReadOnlyList<int>? stages, int depth)
    {
        if (stages is null) return Enumerable.Range(0, depth).ToArray();
        if (stages.Count == 0) throw new ArgumentException("Mtan: AtStages is empty; give at least one stage (null = every stage)");
        var resolved = stages.Select(s => s < 0 ? depth + s : s).ToArray();
        for (int i = 0; i < resolved.Length; i++)
            if ((uint)resolved[i] >= (uint)depth)
                throw new ArgumentException($"Mtan: AtStages names stage {stages[i]}, but the trunk has {depth} stages (0..{depth - 1}, or −1 for the last)");
        if (resolved.Distinct().Count() != resolved.Length)
            throw new ArgumentException($"Mtan: AtStages ({string.Join(", ", stages)}) names a stage twice");
        return resolved.Order().ToArray();
    }

    private static string Key(int stage) => stage.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
