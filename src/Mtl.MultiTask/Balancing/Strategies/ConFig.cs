// ConFIG (Liu et al. 2024): the direction with equal cosine to every task gradient, scaled by the gradients' projections.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="ConFig"/> (none: the paper's default equal direction weights and projection length).</summary>
public sealed record ConFigOptions;

/// <summary>
/// Conflict-free inverse gradients, ConFIG (Liu, Chu, Thuerey 2024, "ConFIG: Towards Conflict-free Training of
/// Physics Informed Neural Networks"). With the unit gradients uₖ = gₖ/‖gₖ‖ as the rows of U, the direction is
/// x = U⁺·1 — the minimum-norm x with uₖ·x = 1 for every k, so x makes the same angle with every task gradient — and
/// the update is g = (Σₖ gₖ·x̂)·x̂ with x̂ = x/‖x‖ (the paper's "projection length"). On the Gramian: x = Uᵀa with
/// a = C⁺·1 for the cosine matrix C = UUᵀ, so x = Σₖ (aₖ/‖gₖ‖)·gₖ, and the weights reported are
/// wₖ = (Σᵢ gᵢ·x / ‖x‖²)·aₖ/‖gₖ‖ (combined = wᵀG exactly). Equal gradients give w = 1 (K·g); orthogonal gradients
/// of norms 1 and 2 give x = u₁ + u₂ and g = (3/2)·(1, 1).
/// <para>
/// The pseudo-inverse drops eigenvalues of C below λ_max·K·ε₃₂ (the official code calls torch's least squares on
/// float32, whose cut-off depends on P as well); a zero gradient gets a zero unit vector (the official
/// <c>nan_to_num</c>). The paper's method is defined on parameter gradients, so representation rows are not offered.
/// The momentum variant (M-ConFIG) is not implemented.
/// </para>
/// </summary>
public sealed class ConFig(ConFigOptions options) : BalancingStrategy
{
    /// <summary>The options (none).</summary>
    public ConFigOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public override bool NeedsGradients => true;

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        Span<double> inv = stackalloc double[k];   // 1/‖gₖ‖, 0 for a zero gradient
        for (int t = 0; t < k; t++) inv[t] = gram[t, t] > 0 ? 1 / Math.Sqrt(gram[t, t]) : 0;
        var cos = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) cos[i, j] = gram[i, j] * inv[i] * inv[j];
        var pinv = SymmetricSpectrum.PseudoInverse(cos);
        Span<double> c = stackalloc double[k];     // x = Σₖ cₖ·gₖ, cₖ = aₖ/‖gₖ‖, a = C⁺·1
        for (int i = 0; i < k; i++)
        {
            double a = 0;
            for (int j = 0; j < k; j++) a += pinv[i, j];
            c[i] = a * inv[i];
        }
        double xx = 0, projections = 0;            // ‖x‖² and Σᵢ gᵢ·x
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                xx += c[i] * gram[i, j] * c[j];
                projections += gram[i, j] * c[j];
            }
        double scale = xx > 0 ? projections / xx : 0;
        for (int t = 0; t < k; t++) weights[t] = scale * c[t];
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
