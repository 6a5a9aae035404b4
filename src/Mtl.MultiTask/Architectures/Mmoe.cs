// Multi-gate Mixture-of-Experts (Ma et al. 2018): shared experts, one softmax gate and one tower per task.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="Mmoe"/> (defaults: the MMoE paper's synthetic-data set-up, 8 experts of width 16).</summary>
public sealed record MmoeOptions
{
    /// <summary>Number of shared experts.</summary>
    public int NumExperts { get; init; } = 8;

    /// <summary>Output width of each expert when experts are built as one Linear + ReLU from the input dimension.</summary>
    public int ExpertWidth { get; init; } = 16;
}

/// <summary>
/// MMoE — Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018.
/// Experts f_j (copies of a trunk; by default ReLU(W_j x + b_j)) are shared; each task t has a gate
/// g_t(x) = softmax(W_gt x) over the experts, reading the flattened input, and a tower (the task's head) applied to
/// Σ_j g_t(x)_j · f_j(x). Parameters: <c>experts.{j}.*</c>, <c>gates.{task}.*</c>, <c>heads.{task}.*</c>.
/// </summary>
public sealed class Mmoe : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _expert;

    /// <summary>Experts are one Linear(inputDim → ExpertWidth) + ReLU each (the paper's synthetic set-up).</summary>
    public Mmoe(int inputDim, IReadOnlyList<TaskSpec> tasks, MmoeOptions? options = null, Generator? generator = null)
        : this(Trunk.Mlp(inputDim, [(options ?? new MmoeOptions()).ExpertWidth], generator), tasks, options, generator) { }

    /// <summary>Experts are <see cref="MmoeOptions.NumExperts"/> copies of <paramref name="expert"/> (flat output).</summary>
    public Mmoe(Trunk expert, IReadOnlyList<TaskSpec> tasks, MmoeOptions? options = null, Generator? generator = null)
    {
        TaskSpec.Validate(tasks);
        var o = options ?? new MmoeOptions();
        if (o.NumExperts <= 0 || o.ExpertWidth <= 0)
            throw new ArgumentException($"Mmoe: NumExperts ({o.NumExperts}) and ExpertWidth ({o.ExpertWidth}) must be positive");
        _tasks = tasks.ToArray();
        _expert = expert;
        Options = o;
        InputDim = expert.FlatInputSize;
        int width = expert.Width();
        Experts = RegisterModule("experts", TaskHeads.Copies(expert, o.NumExperts));
        Gates = RegisterModule("gates", new ModuleDict<Linear>(
            tasks.Select(t => new KeyValuePair<string, Linear>(t.Name, new Linear(InputDim, o.NumExperts, generator: generator)))));
        Heads = RegisterModule("heads", TaskHeads.Build(tasks, t => width));
    }

    /// <summary>Registry factory: experts are copies of the context's trunk.</summary>
    public static Mmoe Create(ArchitectureContext context, MmoeOptions options) => new(context.Trunk, context.Tasks, options);

    /// <summary>Number of input features the gates read (the product of the per-sample input shape).</summary>
    public int InputDim { get; }
    public MmoeOptions Options { get; }
    public ModuleList<Module<Tensor, Tensor>> Experts { get; }
    public ModuleDict<Linear> Gates { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>The gate weights of every task for a batch: task → (B, NumExperts), rows summing to 1.</summary>
    public IReadOnlyDictionary<string, Tensor> GateWeights(Tensor x)
    {
        var flat = GateInput(x);
        return _tasks.ToDictionary(t => t.Name, t => Gates[t.Name].Forward(flat).Softmax(-1), StringComparer.Ordinal);
    }

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        var flat = GateInput(x);
        var experts = JoinOps.Stack(Experts.Select(e => e.Forward(x)).ToArray(), 1);               // (B, E, W)
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            var gate = Gates[t.Name].Forward(flat).Softmax(-1).Unsqueeze(1);                       // (B, 1, E)
            var mixed = gate.MatMul(experts).Squeeze(1);                                            // (B, W)
            outputs[t.Name] = Heads[t.Name].Forward(mixed);
        }
        return outputs;
    }

    private Tensor GateInput(Tensor x)
    {
        var flat = _expert.FlattenInput(x, "Mmoe");
        if (x.DType == DType.Int32)
            throw new ArgumentException($"Mmoe: the gates read the raw input, which must be float; got Int32 {x.ShapeString} (token ids: embed them in the trunk and use an architecture that gates on features, or hard sharing)");
        return flat;
    }
}
