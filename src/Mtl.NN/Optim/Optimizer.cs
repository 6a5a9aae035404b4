// The optimiser base: parameter groups, lazily created per-parameter state, the step loop and zeroing gradients.
namespace Mtl.NN.Optim;

/// <summary>
/// Base of the optimisers, after <c>torch.optim.Optimizer</c>: a validating class that holds parameter groups and
/// per-parameter state, and calls a pure, vectorised update function per parameter in <see cref="Step"/>. Updates are
/// in place on the parameters' data; state buffers are created once, on a parameter's first step, so a steady step
/// allocates no managed memory. Parameters whose <see cref="Tensor.Grad"/> is null are skipped (their state, step count
/// included, does not advance). Parameters are numbered across groups in order; that index names their state in
/// <see cref="StateDict"/> (<c>state.{index}.exp_avg</c>).
/// </summary>
public abstract partial class Optimizer : IStateful
{
    private readonly List<OptimizerGroup> _groups = [];
    private readonly HashSet<Tensor> _known = new(ReferenceEqualityComparer.Instance);
    private readonly List<ParamState?> _state = [];

    private protected Optimizer(IEnumerable<ParamGroup> groups, OptimizerOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(defaults);
        ThrowIfInvalid(defaults, "");
        Defaults = defaults;
        foreach (var g in groups) AddParamGroup(g);
        if (_state.Count == 0) throw new ArgumentException($"{Name}: got an empty parameter list");
    }

    /// <summary>The optimiser's name, used in messages and state dicts ("Adam").</summary>
    public string Name => GetType().Name;

    /// <summary>The options groups fall back to for what they do not override.</summary>
    public OptimizerOptions Defaults { get; }

    /// <summary>The parameter groups in order.</summary>
    public IReadOnlyList<OptimizerGroup> ParamGroups => _groups;

    /// <summary>Total number of parameters over all groups.</summary>
    public int ParamCount => _state.Count;

    /// <summary>
    /// Adds a group (e.g. when unfreezing a trunk during training). Its options are the defaults with its overrides;
    /// a parameter that is already optimised, repeated, non-float, non-leaf or non-contiguous is rejected.
    /// </summary>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int gi = _groups.Count;
        var own = Defaults.OwnOptionNames;
        foreach (var name in group.Overridden())
            if (name is not (nameof(ParamGroup.Lr) or nameof(ParamGroup.WeightDecay) or nameof(ParamGroup.Maximize)) && !own.Contains(name))
                throw new ArgumentException($"{Name}: param group {gi} sets {name}, which {Name} does not use");
        var options = Defaults.Override(group);
        ThrowIfInvalid(options, $"param group {gi}: ");
        var ps = group.Params.ToArray();
        var fresh = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int j = 0; j < ps.Length; j++)
        {
            var p = ps[j] ?? throw new ArgumentException($"{Name}: param group {gi} has a null parameter at position {j}");
            string where = $"{Name}: parameter {j} {p.ShapeString} of param group {gi}";
            if (!p.DType.IsFloating()) throw new ArgumentException($"{where} has dtype {p.DType}; only Float32/Float64 parameters can be optimised");
            if (!p.IsLeaf) throw new ArgumentException($"{where} is not a leaf (produced by '{p.GradFn!.OpName}'); can't optimise a non-leaf tensor");
            if (!p.IsContiguous) throw new ArgumentException($"{where} is a non-contiguous view; optimise the tensor that owns the data");
            if (_known.Contains(p) || !fresh.Add(p)) throw new ArgumentException($"{where} appears in more than one param group (or twice in one)");
        }
        foreach (var p in ps) _known.Add(p);
        _groups.Add(new OptimizerGroup(Name, gi, ps, options));
        for (int j = 0; j < ps.Length; j++) _state.Add(null);
    }

    private void ThrowIfInvalid(OptimizerOptions o, string where)
    {
        var problem = o.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException($"{Name}: {where}{problem}");
    }

    /// <summary>Performs one optimisation step on every parameter that has a gradient.</summary>
    public void Step()
    {
        int index = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var group = _groups[gi];
            var options = group.StepOptions;
            double lr = group.Lr;
            var ps = group.ParamArray;
            for (int j = 0; j < ps.Length; j++, index++)
            {
                var p = ps[j];
                var grad = p.Grad;
                if (grad is null) continue;
                if (grad.DType != p.DType || !ShapeUtil.SameShape(grad.Shape, p.Shape))
                    throw new InvalidOperationException($"{Name}: parameter {index} is {p.DType} {p.ShapeString} but its gradient is {grad.DType} {grad.ShapeString}");
                var state = _state[index] ??= NewState(p, StateNames(options));
                state.Step++;
                Update(options, lr, p, grad.IsContiguous ? grad : grad.Detach().Contiguous(), state);
                p.BumpVersion();
            }
        }
    }

    /// <summary>Zeroes every parameter's gradient in place (or drops it with <paramref name="setToNone"/>).</summary>
    public void ZeroGrad(bool setToNone = false)
    {
        for (int gi = 0; gi < _groups.Count; gi++)
            foreach (var p in _groups[gi].ParamArray)
                if (setToNone) p.Grad = null;
                else p.ZeroGrad();
    }

    /// <summary>The names of the state buffers a parameter needs under <paramref name="options"/> (e.g. exp_avg).</summary>
    private protected abstract IReadOnlyList<string> StateNames(OptimizerOptions options);

    /// <summary>
    /// Updates <paramref name="param"/> in place from its contiguous <paramref name="grad"/> and state, whose step
    /// count already includes this step, with learning rate <paramref name="lr"/> (not options.Lr, which may lag).
    /// </summary>
    private protected abstract void Update(OptimizerOptions options, double lr, Tensor param, Tensor grad, ParamState state);

    private static ParamState NewState(Tensor p, IReadOnlyList<string> names)
    {
        var buffers = new Tensor[names.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = Tensor.EmptyUnscoped(p.Shape, p.DType);
            buffers[i].ClearRaw();
        }
        return new ParamState(buffers);
    }
}

/// <summary>The state of one parameter: its step count and its buffers (zero-initialised, named by the optimiser).</summary>
internal sealed class ParamState(Tensor[] buffers)
{
    public long Step;

    public Tensor[] Buffers { get; } = buffers;
}
