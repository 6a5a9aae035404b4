// The base of every balancing strategy: loss weights from task losses, or a combined gradient from the K×P matrix.
using Mtl.NN;

namespace Mtl.MultiTask.Balancing;

/// <summary>
/// A task-balancing strategy. It sees only the task losses and, when <see cref="NeedsGradients"/>, the K×P matrix of
/// task gradients — never the model — so every strategy works with every architecture, and researchers can call it
/// directly: <see cref="Combine(GradientMatrix, StrategyStep)"/> takes a gradient matrix and returns the combined
/// gradient and the weights, keeping the strategy's state (histories, learned weights, its random generator) from call
/// to call. The number of tasks K is fixed by the first call.
/// <para>
/// Loss-level strategies override <see cref="ComputeLossWeights"/>; the trainer then minimises Σ wₖ·Lₖ with one
/// backward pass. Gradient-level strategies override <see cref="CombineGradients"/>; the trainer computes one gradient
/// per task (one forward, K backward passes through the retained graph) and applies the combination to the shared
/// parameters (or the shared representation, when <see cref="SupportsRepresentation"/>).
/// </para>
/// </summary>
public abstract class BalancingStrategy : IStateful
{
    private string? _name;

    /// <summary>The registry name (e.g. <c>pcgrad</c>); the class name for strategies built directly.</summary>
    public string Name
    {
        get => _name ?? GetType().Name;
        internal set => _name = value;
    }

    /// <summary>True when the strategy needs the task-gradient matrix (gradient-level methods, GradNorm).</summary>
    public abstract bool NeedsGradients { get; }

    /// <summary>
    /// True when the method may be applied to gradients w.r.t. the shared representation (one row of B·D values per
    /// task) instead of the shared parameters — a property of the method, declared, never discovered at run time.
    /// </summary>
    public virtual bool SupportsRepresentation => false;

    /// <summary>True when the strategy draws random numbers (its results then depend on its seed, not only its inputs).</summary>
    public virtual bool IsStochastic => false;

    /// <summary>K, fixed by the first call (0 before it).</summary>
    public int Tasks { get; private set; }

    /// <summary>
    /// The weights wₖ for the loss Σ wₖ·Lₖ of this step (loss-level strategies only). Advances the strategy's state.
    /// </summary>
    public void LossWeights(StrategyStep step, Span<double> weights)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (NeedsGradients)
            throw new NotSupportedException($"strategy '{Name}' works on task gradients; call Combine with the K×P gradient matrix");
        Begin(step.Losses.Count, step, weights.Length);
        ComputeLossWeights(step, weights);
    }

    /// <summary>
    /// Combines the task gradients into <paramref name="combined"/> (length P) and writes the weights w with
    /// combined = wᵀG into <paramref name="weights"/> (length K), returning true; returns false (weights NaN) when the
    /// result is no such combination. Loss-level strategies combine with their loss weights. Advances the state.
    /// </summary>
    public bool Combine(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(step);
        if (step.Losses.Count != gradients.Tasks)
            throw new ArgumentException($"strategy '{Name}': {step.Losses.Count} losses for {gradients.Tasks} task gradients");
        if (combined.Length != gradients.Size)
            throw new ArgumentException($"strategy '{Name}': the combined gradient has room for {combined.Length} values, the task gradients have {gradients.Size}");
        Begin(gradients.Tasks, step, weights.Length);
        if (!NeedsGradients)
        {
            ComputeLossWeights(step, weights);
            gradients.WeightedSum(weights, combined);
            return true;
        }
        weights.Fill(double.NaN);
        bool linear = CombineGradients(gradients, step, combined, weights);
        if (!linear) weights.Fill(double.NaN);
        return linear;
    }

    /// <summary>Allocating form of <see cref="Combine(GradientMatrix, StrategyStep, Span{double}, Span{double})"/>.</summary>
    public StrategyResult Combine(GradientMatrix gradients, StrategyStep step)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        var combined = new double[gradients.Size];
        var weights = new double[gradients.Tasks];
        bool linear = Combine(gradients, step, combined, weights);
        return new StrategyResult(combined, linear ? weights : null);
    }

    /// <summary>Forgets all state (K included), as if freshly built.</summary>
    public void Reset()
    {
        Tasks = 0;
        OnReset();
    }

    /// <summary>Loss-level strategies: fill <paramref name="weights"/> (length K) from <see cref="StrategyStep.Losses"/>.</summary>
    protected virtual void ComputeLossWeights(StrategyStep step, Span<double> weights) =>
        throw new NotSupportedException($"strategy '{Name}' defines neither loss weights nor a gradient combination");

    /// <summary>
    /// Gradient-level strategies: write the combined gradient; write w and return true when combined = wᵀG, else
    /// return false. <paramref name="gradients"/> may be used as scratch space only if the method says so.
    /// </summary>
    protected virtual bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights) =>
        throw new NotSupportedException($"strategy '{Name}' does not combine gradients");

    /// <summary>Called once K is known (first call or first call after <see cref="Reset"/>): size the state here.</summary>
    protected virtual void Initialize(int tasks) { }

    /// <summary>Clears the strategy's own state (called by <see cref="Reset"/>).</summary>
    protected virtual void OnReset() { }

    /// <summary>Stateful strategies: write everything needed to continue exactly (K is stored by the base).</summary>
    protected virtual void WriteState(StrategyState state) { }

    /// <summary>Stateful strategies: read what <see cref="WriteState"/> wrote (K is already restored and initialised).</summary>
    protected virtual void ReadState(StrategyState state) { }

    /// <inheritdoc/>
    public StateDict StateDict()
    {
        var dict = new StateDict();
        var state = new StrategyState(dict, Name);
        state.Set("tasks", Tasks);
        if (Tasks > 0) WriteState(state);
        return dict;
    }

    /// <inheritdoc/>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var s = new StrategyState(state, Name);
        int tasks = checked((int)s.GetNumber("tasks"));
        Reset();
        if (tasks == 0) return;
        Tasks = tasks;
        Initialize(tasks);
        ReadState(s);
    }

    private void Begin(int tasks, StrategyStep step, int weightCount)
    {
        if (tasks < 1) throw new ArgumentException($"strategy '{Name}': no tasks given");
        if (weightCount != tasks) throw new ArgumentException($"strategy '{Name}': room for {weightCount} weights, {tasks} tasks");
        if (Tasks == 0)
        {
            Tasks = tasks;
            Initialize(tasks);
        }
        else if (Tasks != tasks)
            throw new ArgumentException($"strategy '{Name}' was set up for {Tasks} tasks and is now given {tasks}; call Reset() to start over");
        foreach (var l in step.Losses)
            if (!double.IsFinite(l)) throw new ArgumentException($"strategy '{Name}': task losses must be finite, got [{string.Join(", ", step.Losses)}]");
    }
}
