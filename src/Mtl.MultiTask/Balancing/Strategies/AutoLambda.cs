// Auto-Lambda (Liu et al. 2022): task weights learned on validation data through a one-step look-ahead (bilevel).
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="AutoLambda"/>. Defaults are the authors' code's (github lorenmt/auto-lambda).</summary>
public sealed record AutoLambdaOptions
{
    /// <summary>λₖ at the start, for every task (the code's <c>--autol_init</c> 0.1).</summary>
    public double InitialWeight { get; init; } = 0.1;

    /// <summary>Adam learning rate of λ (the code's <c>--autol_lr</c> 1e-4, used for NYUv2; 3e-5 for CityScapes).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>
    /// The tasks whose validation loss λ is learned to lower, by name (null: all tasks — the multi-task setting; a
    /// subset is the auxiliary-learning setting, the others acting as auxiliaries).
    /// </summary>
    public IReadOnlyList<string>? PrimaryTasks { get; init; }

    /// <summary>The finite-difference step ε = scale/‖∇θ′L_val‖ of the second-order term (0.01 as DARTS and the authors' code).</summary>
    public double FiniteDifferenceScale { get; init; } = 0.01;
}

/// <summary>
/// Auto-Lambda — Liu, James, Davison and Johns, "Auto-λ: Disentangling Dynamic Task Relationships", TMLR 2022. The
/// loss weights λ are parameters learned on validation data: before every training step, a virtual SGD step
/// <code>θ′ = θ − α·∇θ Σₖ λₖ·Lₖ^train(θ)</code>
/// (α = the optimiser's current learning rate) is scored by the validation loss of the primary tasks,
/// L_val(θ′) = Σ_{p primary} L_p^val(θ′), whose gradient with respect to λ is
/// <code>∂L_val/∂λₖ = −α·∇θ′L_val(θ′)ᵀ·∇θLₖ^train(θ) ≈ −α·(Lₖ^train(θ + εd) − Lₖ^train(θ − εd)) / (2ε)</code>
/// with d = ∇θ′L_val(θ′) and ε = 0.01/‖d‖ (the finite-difference approximation of DARTS, as the paper). λ then takes
/// one Adam step (PyTorch's defaults β = (0.9, 0.999), eps 1e-8) and the training step itself minimises Σ λₖ·Lₖ with
/// the updated λ (a loss-level step: <see cref="NeedsGradients"/> is false). λ is not constrained (as the authors' code).
/// The virtual step is the paper's plain gradient step; the code's optimiser momentum and weight-decay terms are left out.
/// <para>
/// It needs the trainer: the trainer calls <see cref="BeforeStep"/> (an <see cref="ILookaheadStrategy"/>) with the
/// next validation batch and refuses to fit without validation data. Used standalone (loss weights or
/// <see cref="BalancingStrategy.Combine(GradientMatrix, StrategyStep)"/> without a trainer) it simply applies the
/// current λ. The model's parameters and buffers (batch-norm statistics) are restored bit for bit after the look-ahead.
/// State: λ and Adam's moments and step count.
/// </para>
/// </summary>
public sealed class AutoLambda : BalancingStrategy, ILookaheadStrategy
{
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEps = 1e-8;
    private readonly AutoLambdaOptions _options;
    private readonly ModelSnapshot _theta = new(), _buffers = new();
    private double[] _lambda = [], _m = [], _v = [];
    private long _adamSteps;

    public AutoLambda(AutoLambdaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.InitialWeight)) throw new ArgumentException($"strategy 'autolambda': InitialWeight must be finite, got {options.InitialWeight}");
        if (!double.IsFinite(options.LearningRate) || options.LearningRate < 0)
            throw new ArgumentException($"strategy 'autolambda': LearningRate must be finite and ≥ 0, got {options.LearningRate}");
        if (!double.IsFinite(options.FiniteDifferenceScale) || options.FiniteDifferenceScale <= 0)
            throw new ArgumentException($"strategy 'autolambda': FiniteDifferenceScale must be finite and > 0, got {options.FiniteDifferenceScale}");
        if (options.PrimaryTasks is { Count: 0 }) throw new ArgumentException("strategy 'autolambda': PrimaryTasks is empty (null means all tasks)");
        _options = options;
    }

    public override bool NeedsGradients => false;

    /// <summary>The current task weights λ (empty before K is known).</summary>
    public IReadOnlyList<double> Lambda => _lambda;

    protected override void Initialize(int tasks) => EnsureState(tasks);

    protected override void OnReset()
    {
        _lambda = _m = _v = [];
        _adamSteps = 0;
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights) => _lambda.CopyTo(weights);

    /// <summary>Updates λ by one Adam step on the look-ahead meta-gradient of this step (see the class summary).</summary>
    public void BeforeStep(LookaheadContext context)
    {
        var gradient = MetaGradient(context);
        _adamSteps++;
        double lr = _options.LearningRate;
        for (int k = 0; k < _lambda.Length; k++)
        {
            _m[k] = Beta1 * _m[k] + (1 - Beta1) * gradient[k];
            _v[k] = Beta2 * _v[k] + (1 - Beta2) * gradient[k] * gradient[k];
            double mHat = _m[k] / (1 - Math.Pow(Beta1, _adamSteps));
            double vHat = _v[k] / (1 - Math.Pow(Beta2, _adamSteps));
            _lambda[k] -= lr * mHat / (Math.Sqrt(vHat) + AdamEps);
        }
    }

    /// <summary>
    /// The finite-difference estimate of ∂L_val(θ′)/∂λ (length K) for the current λ, without changing λ; the model is
    /// left exactly as found. Zero when the batches hold no labels for the tasks involved or ∇θ′L_val is zero.
    /// </summary>
    public double[] MetaGradient(LookaheadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tasks = context.Model.Tasks;
        EnsureState(tasks.Count);
        var primary = PrimaryMask(tasks);
        var meta = new double[tasks.Count];
        double alpha = context.LearningRate;
        var parameters = context.Model.Parameters().Where(p => p.RequiresGrad).ToArray();
        var buffers = context.Model.NamedBuffers().Select(b => b.Buffer).ToArray();
        _theta.Save(parameters);
        _buffers.Save(buffers);
        try
        {
            // θ′ = θ − α·∇θ Σ λₖ·Lₖ^train(θ)
            var trainLoss = Weighted(context.Losses(context.TrainingBatches), _lambda);
            if (trainLoss is null) return meta;
            var step = Autograd.Grad([trainLoss], parameters, allowUnused: true);
            _theta.Shift(parameters, step, -alpha);

            // d = ∇θ′ L_val(θ′) over the primary tasks
            var primaryMask = primary.Select(p => p ? 1.0 : 0.0).ToArray();
            var validationLoss = Weighted(context.Losses(context.ValidationBatches), primaryMask);
            if (validationLoss is null) return meta;
            var d = Autograd.Grad([validationLoss], parameters, allowUnused: true);
            double norm = ModelSnapshot.Norm(d);
            if (!(norm > 0)) return meta;
            double eps = _options.FiniteDifferenceScale / norm;

            // Lₖ^train at θ ± εd
            double[] plus, minus;
            using (GradMode.NoGrad())
            {
                _theta.Shift(parameters, d, eps);
                plus = Values(context.Losses(context.TrainingBatches));
                _theta.Shift(parameters, d, -eps);
                minus = Values(context.Losses(context.TrainingBatches));
            }
            for (int k = 0; k < meta.Length; k++) meta[k] = -alpha * (plus[k] - minus[k]) / (2 * eps);
            return meta;
        }
        finally
        {
            _theta.Restore(parameters);
            _buffers.Restore(buffers);
        }
    }

    private bool[] PrimaryMask(IReadOnlyList<Tasks.TaskSpec> tasks)
    {
        if (_options.PrimaryTasks is null) return tasks.Select(_ => true).ToArray();
        var names = tasks.Select(t => t.Name).ToList();
        foreach (var p in _options.PrimaryTasks)
            if (!names.Contains(p)) throw new ArgumentException($"strategy '{Name}': primary task '{p}' is not a task of the model (tasks: {string.Join(", ", names)})");
        return names.Select(n => _options.PrimaryTasks.Contains(n)).ToArray();
    }

    private void EnsureState(int tasks)
    {
        if (_lambda.Length == tasks) return;
        if (_lambda.Length != 0)
            throw new ArgumentException($"strategy '{Name}' was set up for {_lambda.Length} tasks and is now given {tasks}; call Reset() to start over");
        _lambda = Enumerable.Repeat(_options.InitialWeight, tasks).ToArray();
        _m = new double[tasks];
        _v = new double[tasks];
        _adamSteps = 0;
    }

    // Σ wₖ·Lₖ over the tasks present with a non-zero weight (null when there is none).
    private static Tensor? Weighted(Tensor?[] losses, double[] weights)
    {
        Tensor? total = null;
        for (int k = 0; k < losses.Length; k++)
        {
            if (losses[k] is not { } l || weights[k] == 0) continue;
            var term = l.MulScalar(weights[k]);
            total = total is null ? term : total.Add(term);
        }
        return total;
    }

    private static double[] Values(Tensor?[] losses) => losses.Select(l => l?.Item() ?? 0).ToArray();

    protected override void WriteState(StrategyState state)
    {
        state.Set("lambda", _lambda);
        state.Set("adam_m", _m);
        state.Set("adam_v", _v);
        state.Set("adam_steps", _adamSteps);
    }

    protected override void ReadState(StrategyState state)
    {
        _lambda = state.GetArray("lambda", Tasks);
        _m = state.GetArray("adam_m", Tasks);
        _v = state.GetArray("adam_v", Tasks);
        _adamSteps = checked((long)state.GetNumber("adam_steps"));
    }
}
