// One parameter group as an optimiser holds it: its parameters and fully resolved hyper-parameters (lr settable).
namespace Mtl.NN.Optim;

/// <summary>
/// A parameter group inside an <see cref="Optimizer"/>: the parameters and their resolved options (the optimiser's
/// defaults with the group's overrides applied). Schedules change <see cref="Lr"/>.
/// </summary>
public sealed class OptimizerGroup
{
    private OptimizerOptions _options; // its Lr may lag behind _lr, so that setting the lr allocates nothing
    private double _lr;

    internal OptimizerGroup(string optimizer, int index, Tensor[] parameters, OptimizerOptions options)
    {
        OptimizerName = optimizer;
        Index = index;
        ParamArray = parameters;
        _options = options;
        _lr = options.Lr;
    }

    internal string OptimizerName { get; }

    internal Tensor[] ParamArray { get; }

    /// <summary>Position of the group in <see cref="Optimizer.ParamGroups"/>.</summary>
    public int Index { get; }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Params => ParamArray;

    /// <summary>The resolved hyper-parameters (cast to the optimiser's options record to read its own ones).</summary>
    public OptimizerOptions Options
    {
        get
        {
            if (_options.Lr != _lr) _options = _options with { Lr = _lr };
            return _options;
        }
        internal set
        {
            _options = value;
            _lr = value.Lr;
        }
    }

    /// <summary>The options without bringing their Lr up to date (the step reads <see cref="Lr"/> separately).</summary>
    internal OptimizerOptions StepOptions => _options;

    /// <summary>The learning rate; setting it validates the value (finite, ≥ 0) and allocates nothing.</summary>
    public double Lr
    {
        get => _lr;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentException($"{OptimizerName}: invalid learning rate for param group {Index}: {value} (must be finite and >= 0)", nameof(value));
            _lr = value;
        }
    }

    /// <summary>The learning rate the first schedule attached to the optimiser started from (null before any).</summary>
    public double? InitialLr { get; internal set; }
}
