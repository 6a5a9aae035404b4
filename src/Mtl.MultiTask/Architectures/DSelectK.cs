// DSelect-k multi-task mixture of experts (Hazimeh et al. 2021): shared experts, one sparse DSelect-k gate per task.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// Options of <see cref="DSelectK"/>. γ = 1, k = 2 and λ = 1e-6 are the defaults of LibMTL and of the reference code's
/// entropy regulariser; the reference code and LibMTL take the expert count from the caller, so 4 (a power of two,
/// two selected) is our choice. The paper defines static (task-only) and per-example gates; per-example is the default
/// (the only form LibMTL implements).
/// </summary>
public sealed record DSelectKOptions
{
    /// <summary>Shared experts n (copies of the trunk), ≥ 2.</summary>
    public int NumExperts { get; init; } = 4;

    /// <summary>k: single-expert selectors per task, the most experts a task's gate can weight, ≥ 1.</summary>
    public int NumNonzeros { get; init; } = 2;

    /// <summary>γ: width of the smooth-step's cubic region.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>True: z and the selector weights come from Linear layers on the flattened input; false: learned constants per task.</summary>
    public bool PerExample { get; init; } = true;

    /// <summary>λ of the entropy term λ · Σ −r log(r + 1e-6) over the selectors' outputs (0 turns it off).</summary>
    public double EntropyRegularization { get; init; } = 1e-6;
}

/// <summary>
/// DSelect-k — Hazimeh, Zhao, Chowdhery, Sathiamoorthy, Chen, Mazumder, Hong, Chi, "DSelect-k: Differentiable Selection
/// in the Mixture of Experts with Applications to Multi-Task Learning", NeurIPS 2021. A multi-gate mixture of experts
/// like <see cref="Mmoe"/> whose softmax gates are replaced by <see cref="DSelectKGate"/>s: task t's tower reads
/// Σ_i a_t(x)_i · f_i(x), with a_t at most k-sparse once its selectors converge. <see cref="AuxiliaryLoss"/> returns the
/// selectors' regulariser (entropy, plus the barrier for unreachable codes when n is not a power of two) for the last
/// training-mode forward pass. Parameters: <c>experts.{j}.*</c>, <c>gates.{task}.*</c> (<c>z</c>, <c>w</c>: parameters
/// of a static gate, Linear layers of a per-example one), <c>heads.{task}.*</c>.
/// </summary>
public sealed class DSelectK : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Trunk _expert;
    private List<Tensor>? _lastSelectors;

    /// <summary>Experts are <see cref="DSelectKOptions.NumExperts"/> copies of <paramref name="expert"/> (flat output).</summary>
    public DSelectK(Trunk expert, IReadOnlyList<TaskSpec> tasks, DSelectKOptions? options = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(expert);
        TaskSpec.Validate(tasks);
        var o = options ?? new DSelectKOptions();
        if (o.NumExperts < 2 || o.NumNonzeros < 1)
            throw new ArgumentException($"DSelectK: NumExperts ({o.NumExperts}) must be ≥ 2 and NumNonzeros ({o.NumNonzeros}) ≥ 1");
        if (!(o.EntropyRegularization >= 0) || double.IsInfinity(o.EntropyRegularization))
            throw new ArgumentException($"DSelectK: EntropyRegularization must be finite and ≥ 0, got {o.EntropyRegularization}");
        if (o.PerExample && expert.InputDType != DType.Float32)
            throw new ArgumentException($"DSelectK: per-example gates read the flattened input, which must be Float32; the trunk takes {expert.InputDType}");
        _tasks = tasks.ToArray();
        _expert = expert;
        Options = o;
        InputDim = expert.FlatInputSize;
        int width = expert.Width();
        Experts = RegisterModule("experts", TaskHeads.Copies(expert, o.NumExperts));
        Gates = RegisterModule("gates", new ModuleDict<DSelectKGate>(tasks.Select(t => new KeyValuePair<string, DSelectKGate>(
            t.Name, new DSelectKGate(o.NumExperts, o.NumNonzeros, o.Gamma, o.PerExample ? InputDim : 0, generator)))));
        Heads = RegisterModule("heads", TaskHeads.Build(tasks, t => width));
    }

    /// <summary>Registry factory: experts are copies of the context's trunk.</summary>
    public static DSelectK Create(ArchitectureContext context, DSelectKOptions options) => new(context.Trunk, context.Tasks, options);

    /// <summary>Number of input features per-example gates read (the product of the per-sample input shape).</summary>
    public int InputDim { get; }
    public DSelectKOptions Options { get; }
    public ModuleList<Module<Tensor, Tensor>> Experts { get; }
    public ModuleDict<DSelectKGate> Gates { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>Every task's expert weights for a batch: task → (B, NumExperts), non-negative, at most k non-zero once converged.</summary>
    public IReadOnlyDictionary<string, Tensor> GateWeights(Tensor x)
    {
        var flat = GateInput(x);
        return _tasks.ToDictionary(t => t.Name, t => Gates[t.Name].Compute(flat).Weights.Expand(x.Shape[0], Options.NumExperts),
            StringComparer.Ordinal);
    }

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        var flat = GateInput(x);
        var experts = JoinOps.Stack(Experts.Select(e => e.Forward(x)).ToArray(), 1);               // (B, n, W)
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        var selectors = Training ? new List<Tensor>(_tasks.Length) : null;
        foreach (var t in _tasks)
        {
            var (weights, r) = Gates[t.Name].Compute(flat);                                         // (B|1, n), (B|1, k, n)
            selectors?.Add(r);
            var mixed = weights.Expand(x.Shape[0], Options.NumExperts).Unsqueeze(1).MatMul(experts).Squeeze(1); // (B, W)
            var y = Heads[t.Name].Forward(mixed);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        _lastSelectors = selectors;
        return outputs;
    }

    /// <summary>
    /// The selectors' regulariser for the last training-mode forward pass, summed over tasks (see
    /// <see cref="DSelectKGate.Regularizer"/>); null after an evaluation-mode pass, or when λ = 0 and n is a power of two.
    /// </summary>
    public override Tensor? AuxiliaryLoss()
    {
        if (_lastSelectors is null) return null;
        bool powerOfTwo = Gates.Values.First().IsPowerOfTwo;
        if (Options.EntropyRegularization == 0 && powerOfTwo) return null;
        Tensor? total = null;
        foreach (var r in _lastSelectors)
        {
            var term = DSelectKGate.Regularizer(r, Options.EntropyRegularization, powerOfTwo);
            total = total is null ? term : total.Add(term);
        }
        return total;
    }

    private Tensor GateInput(Tensor x)
    {
        return _expert.FlattenInput(x, "DSelectK");
    }
}
