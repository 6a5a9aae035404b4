// Tensor-factorised sharing (Yang & Hospedales 2017): a shared trunk, then per-task branches whose layers share a Tucker tensor.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// Options of <see cref="LowRank"/>. The paper picks ranks per layer from the singular values of single-task weights;
/// without them, the defaults are r₁ = r₂ = 8 and a full task rank (r₃ = K), so tasks share 8-dimensional input and
/// output subspaces in each branch layer while combining the core freely.
/// </summary>
public sealed record LowRankOptions
{
    /// <summary>Widths of the branch layers after the trunk (each a <see cref="TuckerLinear"/> + ReLU); at least one.</summary>
    public int[] Widths { get; init; } = [32];

    /// <summary>
    /// Tucker ranks (r₁ input, r₂ output, r₃ task) used for every branch layer; each is clipped to its mode's size, and
    /// 0 means the full size of the mode.
    /// </summary>
    public int[] Ranks { get; init; } = [8, 8, 0];
}

/// <summary>
/// Tensor-factorised multi-task sharing — Yang &amp; Hospedales, "Deep Multi-task Representation Learning: A Tensor
/// Factorisation Approach", ICLR 2017 (Tucker form). A shared encoder (the trunk) maps x to h (B, D); each task t then
/// runs its branch h ← ReLU(h W_t^(l) + b_t^(l)) through layers whose K weight matrices are one Tucker-factorised tensor
/// per layer (<see cref="TuckerLinear"/>), and its head reads the last branch output. Parameters: <c>encoder.*</c>,
/// <c>branches.{l}.core|u1|u2|u3|bias</c>, <c>heads.{task}.*</c>. To initialise as the paper, train single-task models
/// and pass each layer's task weights to <see cref="TuckerLinear.LoadTaskWeights"/> of <see cref="Branches"/>.
/// </summary>
public sealed class LowRank : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _trunk;

    /// <summary>Builds one copy of <paramref name="trunk"/> as the shared encoder and the factorised branches.</summary>
    public LowRank(Trunk trunk, IReadOnlyList<TaskSpec> tasks, LowRankOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        TaskSpec.Validate(tasks);
        var o = options ?? new LowRankOptions();
        if (o.Widths is null || o.Widths.Length == 0 || o.Widths.Any(w => w <= 0))
            throw new ArgumentException($"LowRank: Widths ({string.Join(", ", o.Widths ?? [])}) must hold at least one positive width");
        if (o.Ranks is null || o.Ranks.Length != 3 || o.Ranks.Any(r => r < 0))
            throw new ArgumentException($"LowRank: Ranks ({string.Join(", ", o.Ranks ?? [])}) must be three values ≥ 0 (r1 input, r2 output, r3 task; 0 = full)");
        _tasks = tasks.ToArray();
        _trunk = trunk;
        Options = o;
        int k = tasks.Count, width = trunk.Width();
        Encoder = RegisterModule("encoder", trunk.Build());
        var layers = new List<TuckerLinear>(o.Widths.Length);
        int fanIn = width;
        foreach (int fanOut in o.Widths)
        {
            layers.Add(new TuckerLinear(fanIn, fanOut, k, Clip(o.Ranks[0], fanIn), Clip(o.Ranks[1], fanOut), Clip(o.Ranks[2], k), generator));
            fanIn = fanOut;
        }
        Branches = RegisterModule("branches", new ModuleList<TuckerLinear>(layers));
        Heads = RegisterModule("heads", TaskHeads.Build(tasks, t => o.Widths[^1]));
    }

    /// <summary>Registry factory: the context's trunk as the shared encoder.</summary>
    public static LowRank Create(ArchitectureContext context, LowRankOptions options) => new(context.Trunk, context.Tasks, options);

    public LowRankOptions Options { get; }
    public Sequential Encoder { get; }

    /// <summary>The factorised branch layers, first to last; task t uses slice t of each.</summary>
    public ModuleList<TuckerLinear> Branches { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        _trunk.CheckInput(x, "LowRank");
        var shared = Encoder.Forward(x);                                                           // (B, D)
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        for (int t = 0; t < _tasks.Length; t++)
        {
            var h = shared;
            foreach (var layer in Branches) h = layer.Forward(h, t).Relu();                        // (B, width_l)
            var y = Heads[_tasks[t].Name].Forward(h);
            if (y.Rank < 2 || y.Shape[^1] != _tasks[t].OutputSize)
                throw new ArgumentException($"task '{_tasks[t].Name}': head output {y.ShapeString} does not end in the task's {_tasks[t].OutputSize} outputs");
            outputs[_tasks[t].Name] = y;
        }
        return outputs;
    }

    private static int Clip(int rank, int size) => rank == 0 ? size : Math.Min(rank, size);
}
