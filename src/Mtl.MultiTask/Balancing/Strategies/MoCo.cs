// MoCo (Fernando et al. 2023): track each task gradient with a moving average Y, step λ on the simplex with YYᵀ, descend along Yᵀλ.
using System.Numerics.Tensors;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="MoCo"/>. Defaults are LibMTL's (from the authors' code); the paper leaves them open.</summary>
public sealed record MoCoOptions
{
    /// <summary>β: step size of the tracking variables, βₜ = β / t^σβ (LibMTL <c>MoCo_beta</c> 0.5).</summary>
    public double Beta { get; init; } = 0.5;

    /// <summary>σβ: decay exponent of βₜ (LibMTL <c>MoCo_beta_sigma</c> 0.5).</summary>
    public double BetaSigma { get; init; } = 0.5;

    /// <summary>γ: step size of the weights λ, γₜ = γ / t^σγ (LibMTL <c>MoCo_gamma</c> 0.1).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>σγ: decay exponent of γₜ (LibMTL <c>MoCo_gamma_sigma</c> 0.5).</summary>
    public double GammaSigma { get; init; } = 0.5;

    /// <summary>ρ: ℓ2 regularisation of λ's subproblem, the step uses (YYᵀ + ρI)λ (LibMTL <c>MoCo_rho</c> 0).</summary>
    public double Rho { get; init; }

    /// <summary>
    /// Rescale each task gradient to gₖ·Lₖ/(‖gₖ‖ + 1e-8) before tracking it (true, as the authors' code in LibMTL); the
    /// paper's Algorithm 1 tracks the raw gradients (false).
    /// </summary>
    public bool NormalizeGradients { get; init; } = true;
}

/// <summary>
/// MoCo — Fernando, Shen, Liu, Chaudhury, Murugesan and Chen, "Mitigating Gradient Bias in Multi-objective Learning:
/// A Provably Convergent Approach", ICLR 2023. Stochastic MGDA is biased because the min-norm weights depend on noisy
/// gradients; MoCo keeps a tracking variable yₖ per task (a moving average of its gradient) and takes one projected
/// gradient step on λ per call instead of solving the min-norm problem:
/// <code>
/// yₖ ← yₖ − βₜ·(yₖ − g̃ₖ),   g̃ₖ = gₖ·Lₖ/(‖gₖ‖+1e-8) (or gₖ)       βₜ = β/t^σβ
/// λ  ← Π_Δ(λ − γₜ·(YYᵀ + ρI)·λ)                                  γₜ = γ/t^σγ, λ₀ = 1/K
/// d  = Yᵀλ
/// </code>
/// with t the number of calls so far and Π_Δ the Euclidean projection onto the simplex (the paper's; LibMTL uses a
/// softmax instead). The direction is a combination of the tracked gradients Y, not of this step's G, so
/// <see cref="BalancingStrategy.Combine(GradientMatrix, StrategyStep)"/> reports no weights (returns false); the weights
/// on Y are <see cref="Lambda"/>. State: Y (K×P, allocated on the first call and saved whole), λ and t. P is fixed by
/// the first call. Not defined on representation gradients (as LibMTL).
/// </summary>
public sealed class MoCo : BalancingStrategy
{
    private readonly MoCoOptions _options;
    private GradientMatrix? _y;
    private double[] _lambda = [];
    private long _calls;

    public MoCo(MoCoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, value) in new[] { ("Beta", options.Beta), ("BetaSigma", options.BetaSigma), ("Gamma", options.Gamma), ("GammaSigma", options.GammaSigma), ("Rho", options.Rho) })
            if (!double.IsFinite(value) || value < 0) throw new ArgumentException($"strategy 'moco': {name} must be finite and ≥ 0, got {value}");
        if (options.Beta > 1) throw new ArgumentException($"strategy 'moco': Beta must be at most 1 (a moving-average step), got {options.Beta}");
        _options = options;
    }

    public override bool NeedsGradients => true;

    /// <summary>The current weights λ on the tracked gradients Y (length K; empty before the first call).</summary>
    public IReadOnlyList<double> Lambda => _lambda;

    protected override void Initialize(int tasks)
    {
        _lambda = new double[tasks];
        Array.Fill(_lambda, 1.0 / tasks);
        _y = null;
        _calls = 0;
    }

    protected override void OnReset()
    {
        _lambda = [];
        _y = null;
        _calls = 0;
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        if (_y is null) _y = new GradientMatrix(k, gradients.Size);
        else if (_y.Size != gradients.Size)
            throw new ArgumentException($"strategy '{Name}' tracks gradients of length {_y.Size} and is now given {gradients.Size}; call Reset() to start over");
        _calls++;
        double beta = _options.Beta / Math.Pow(_calls, _options.BetaSigma);
        double gamma = _options.Gamma / Math.Pow(_calls, _options.GammaSigma);

        // yₖ ← (1 − β)·yₖ + β·sₖ·gₖ, with sₖ the gradient's rescaling.
        for (int t = 0; t < k; t++)
        {
            double scale = _options.NormalizeGradients ? step.Losses[t] / (gradients.Norm(t) + 1e-8) : 1.0;
            var y = _y.Row(t);
            TensorPrimitives.Multiply<double>(y, 1 - beta, y);
            TensorPrimitives.MultiplyAdd<double>(gradients.Row(t), beta * scale, y, y);
        }

        // λ ← Π_Δ(λ − γ·(YYᵀ + ρI)λ)
        var gram = _y.Gramian();
        var next = new double[k];
        for (int i = 0; i < k; i++)
        {
            double s = _options.Rho * _lambda[i];
            for (int j = 0; j < k; j++) s += gram[i, j] * _lambda[j];
            next[i] = _lambda[i] - gamma * s;
        }
        ProjectOntoSimplex(next, _lambda);
        _y.WeightedSum(_lambda, combined);
        return false;
    }

    /// <summary>
    /// Euclidean projection of <paramref name="v"/> onto the probability simplex (sort, find the threshold τ, clip
    /// vᵢ − τ at 0), written into <paramref name="into"/>.
    /// </summary>
    internal static void ProjectOntoSimplex(ReadOnlySpan<double> v, Span<double> into)
    {
        var sorted = v.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        double sum = 0, tau = 0;
        for (int j = 0; j < sorted.Length; j++)
        {
            sum += sorted[j];
            double candidate = (sum - 1) / (j + 1);
            if (sorted[j] - candidate > 0) tau = candidate;
        }
        for (int i = 0; i < v.Length; i++) into[i] = Math.Max(v[i] - tau, 0);
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("calls", _calls);
        state.Set("lambda", _lambda);
        state.Set("size", _y?.Size ?? -1);
        if (_y is not null) state.Set("y", _y.Data);
    }

    protected override void ReadState(StrategyState state)
    {
        _calls = checked((long)state.GetNumber("calls"));
        _lambda = state.GetArray("lambda", Tasks);
        int size = checked((int)state.GetNumber("size"));
        if (size < 0) return;
        _y = new GradientMatrix(Tasks, size);
        var data = state.GetArray("y", Tasks * size);
        for (int t = 0; t < Tasks; t++) data.AsSpan(t * size, size).CopyTo(_y.Row(t));
    }
}
