// Multi-gate Mixture-of-Experts (Ma et al. 2018): shared experts, one softmax gate and one tower per task.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="Mmoe"/> (defaults: the MMoE paper's synthetic-data set-up, 8 experts of width 16).</summary>
public sealed record MmoeOptions
{
    /// <summary>Number of shared experts.</summary>
    public int NumExperts { get; init; } = 8;

    /// <summary>Output width of each expert (one Linear + ReLU).</summary>
    public int ExpertWidth { get; init; } = 16;
}

/// <summary>
/// MMoE — Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018.
/// Experts f_j(x) = ReLU(W_j x + b_j) are shared; each task t has a gate g_t(x) = softmax(W_gt x) over the experts and a
/// tower (the task's head) applied to Σ_j g_t(x)_j · f_j(x). Input (B, inputDim). Parameters: <c>experts.{j}.*</c>,
/// <c>gates.{task}.*</c>, <c>heads.{task}.*</c>.
/// </summary>
public sealed class Mmoe : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;

    public Mmoe(int inputDim, IReadOnlyList<TaskSpec> tasks, MmoeOptions? options = null, Generator? generator = null)
    {
        TaskSpec.Validate(tasks);
        var o = options ?? new MmoeOptions();
        if (inputDim <= 0 || o.NumExperts <= 0 || o.ExpertWidth <= 0)
            throw new ArgumentException($"Mmoe: inputDim ({inputDim}), NumExperts ({o.NumExperts}) and ExpertWidth ({o.ExpertWidth}) must be positive");
        _tasks = tasks.ToArray();
        InputDim = inputDim;
        Options = o;
        Experts = RegisterModule("experts", new ModuleList<Linear>(
            Enumerable.Range(0, o.NumExperts).Select(_ => new Linear(inputDim, o.ExpertWidth, generator: generator))));
        Gates = RegisterModule("gates", new ModuleDict<Linear>(
            tasks.Select(t => new KeyValuePair<string, Linear>(t.Name, new Linear(inputDim, o.NumExperts, generator: generator)))));
        Heads = RegisterModule("heads", new ModuleDict<Module<Tensor, Tensor>>(
            tasks.Select(t => new KeyValuePair<string, Module<Tensor, Tensor>>(t.Name, t.BuildHead(o.ExpertWidth)))));
    }

    public int InputDim { get; }
    public MmoeOptions Options { get; }
    public ModuleList<Linear> Experts { get; }
    public ModuleDict<Linear> Gates { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>The gate weights of every task for a batch: task → (B, NumExperts), rows summing to 1.</summary>
    public IReadOnlyDictionary<string, Tensor> GateWeights(Tensor x)
    {
        CheckInput(x);
        return _tasks.ToDictionary(t => t.Name, t => Gates[t.Name].Forward(x).Softmax(-1), StringComparer.Ordinal);
    }

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
    {
        CheckInput(x);
        var experts = JoinOps.Stack(Experts.Select(e => e.Forward(x).Relu()).ToArray(), 1);   // (B, E, W)
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            var gate = Gates[t.Name].Forward(x).Softmax(-1).Unsqueeze(1);                       // (B, 1, E)
            var mixed = gate.MatMul(experts).Squeeze(1);                                         // (B, W)
            outputs[t.Name] = Heads[t.Name].Forward(mixed);
        }
        return outputs;
    }

    private void CheckInput(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != InputDim)
            throw new ArgumentException($"Mmoe: input {x.ShapeString} must be (B, {InputDim})");
    }
}
