// GradNorm (Chen et al. 2018): learned loss weights that pull the weighted task-gradient norms to a common training rate.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="GradNorm"/>.</summary>
public sealed record GradNormOptions
{
    /// <summary>Strength α of the restoring force towards a common training rate (paper's main setting and LibMTL: 1.5).</summary>
    public double Alpha { get; init; } = 1.5;

    /// <summary>
    /// Learning rate of the strategy's own Adam on the weights (β 0.9/0.999, ε 1e-8). The paper updates w with the
    /// network's optimiser and gives no separate rate; 0.025 (FAMO's rate for its task logits) is Mtl's choice.
    /// </summary>
    public double Lr { get; init; } = 0.025;
}

/// <summary>
/// Chen, Badrinarayanan, Lee and Rabinovich, "GradNorm: Gradient Normalization for Adaptive Loss Balancing in Deep
/// Multitask Networks", ICML 2018. Learned weights w (starting at 1, Σw = K). At each step, with gₖ the K×P rows:
/// Gₖ = wₖ‖gₖ‖, Ḡ = meanₖ Gₖ, the inverse training rates rₖ = L̃ₖ/meanⱼ L̃ⱼ with L̃ₖ = Lₖ/Lₖ(0) (Lₖ(0): the
/// losses of the first call), and targets Ḡ·rₖ^α held constant. The combined gradient is wᵀG with the weights of THIS
/// step (as LibMTL; the paper's Algorithm 1 also uses w(t) for the step); then w takes one Adam step on
/// L_grad = Σₖ|Gₖ − target_k|, whose gradient is sign(Gₖ − target_k)·‖gₖ‖, is floored at 1e-4 (to stay positive) and
/// renormalised to Σw = K for the next step.
/// <para>Differences from the paper: the paper measures the norms on the last shared layer's weights; here the rows
/// are all shared parameters, or the shared representation (<see cref="SupportsRepresentation"/>, as LibMTL's
/// rep_grad). The trainer gives task-specific parameters their task's plain gradient (weight 1, as LibMTL), where the
/// paper's weighted loss scales them by wₖ too. LibMTL parameterises w = K·softmax(ξ) and runs plain summation in
/// epoch 0; this follows the paper (explicit w, renormalised, from the first step).</para>
/// State: w, Adam's moments and the initial losses.
/// </summary>
public sealed class GradNorm : BalancingStrategy
{
    private const double MinWeight = 1e-4;
    private const double Tiny = 1e-12;
    private readonly double _alpha;
    private readonly StrategyAdam _adam;
    private double[] _w = [], _initial = [], _norm = [], _ratio = [], _grad = [];
    private bool _hasInitial;

    public GradNorm(GradNormOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _alpha = LossWeightingMath.Positive("gradnorm", "Alpha", options.Alpha, allowZero: true);
        _adam = new StrategyAdam(LossWeightingMath.Positive("gradnorm", "Lr", options.Lr, allowZero: true));
    }

    /// <summary>The learned weights w for the next step (empty before the first call; Σw = K).</summary>
    public IReadOnlyList<double> Weights => _w;

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override void Initialize(int tasks)
    {
        _w = new double[tasks];
        Array.Fill(_w, 1.0);
        _initial = new double[tasks];
        _norm = new double[tasks];
        _ratio = new double[tasks];
        _grad = new double[tasks];
        _hasInitial = false;
        _adam.Reset(tasks);
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        var losses = step.Losses;
        LossWeightingMath.RequireNonNegative(Name, losses);
        int k = gradients.Tasks;
        if (!_hasInitial)
        {
            for (int i = 0; i < k; i++) _initial[i] = losses[i];
            _hasInitial = true;
        }
        _w.CopyTo(weights);
        gradients.WeightedSum(weights, combined);

        double meanG = 0, meanRatio = 0;
        for (int i = 0; i < k; i++)
        {
            _norm[i] = gradients.Norm(i);
            meanG += _w[i] * _norm[i];
            _ratio[i] = losses[i] / Math.Max(_initial[i], Tiny);
            meanRatio += _ratio[i];
        }
        meanG /= k;
        meanRatio /= k;
        for (int i = 0; i < k; i++)
        {
            double r = meanRatio > 0 ? _ratio[i] / meanRatio : 1;
            double target = meanG * Math.Pow(r, _alpha);
            _grad[i] = Math.Sign(_w[i] * _norm[i] - target) * _norm[i];
        }
        _adam.Step(_w, _grad);
        double sum = 0;
        for (int i = 0; i < k; i++) sum += _w[i] = Math.Max(_w[i], MinWeight);
        for (int i = 0; i < k; i++) _w[i] *= k / sum;
        return true;
    }

    protected override void OnReset()
    {
        _w = _initial = _norm = _ratio = _grad = [];
        _hasInitial = false;
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("weights", _w);
        _adam.Write(state, "adam");
        state.Set("has_initial", _hasInitial ? 1 : 0);
        state.Set("initial_losses", _initial);
    }

    protected override void ReadState(StrategyState state)
    {
        _w = state.GetArray("weights", Tasks);
        _adam.Read(state, "adam");
        _hasInitial = state.GetNumber("has_initial") != 0;
        _initial = state.GetArray("initial_losses", Tasks);
    }
}
