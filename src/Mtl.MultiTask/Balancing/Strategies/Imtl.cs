// IMTL-G (Liu et al. 2021): closed-form weights giving a combined gradient with equal projections on all unit task gradients.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="Imtl"/> (none: IMTL-G is parameter-free).</summary>
public sealed record ImtlOptions;

/// <summary>
/// Impartial gradient balancing, IMTL-G (Liu, Li, Kuang, Xue, Chen, Yang, Liao &amp; Zhang 2021, "Towards Impartial
/// Multi-task Learning"): weights w with Σₖ wₖ = 1 such that g = Σₖ wₖgₖ has the same projection on every unit task
/// gradient uₖ = gₖ/‖gₖ‖. The paper's closed form, with D = [g₁ − gₖ]ₖ₌₂..K and U = [u₁ − uₖ]ₖ₌₂..K (rows), is
/// w₂..K = g₁Uᵀ(DUᵀ)⁻¹, w₁ = 1 − Σₖ₌₂..K wₖ. Here the same conditions are solved as one K×K system on the Gramian —
/// Σₖ wₖ = 1 and (Σₘ wₘgₘ)·(u₁ − uₖ) = 0 for k = 2..K, with gₘ·uₖ = (G·Gᵀ)ₘₖ/‖gₖ‖ — which has the same unique solution
/// when DUᵀ is invertible and, when it is not (equal or zero gradients), falls back to the minimum-norm least-squares
/// weights (equal gradients → wₖ = 1/K) instead of NaN. K = 1 gives w = 1 (plain descent). Weights may be negative.
/// <para>
/// Only the gradient part of the paper's hybrid IMTL is implemented: IMTL-L's learnable loss scales would be
/// parameters for the optimiser, which a strategy does not have. LibMTL also allows representation gradients (the
/// paper computes IMTL-G on the shared feature for efficiency), so <see cref="SupportsRepresentation"/> is true.
/// A zero gradient has no direction; its unit vector is taken as zero.
/// </para>
/// </summary>
public sealed class Imtl(ImtlOptions options) : BalancingStrategy
{
    /// <summary>The options (none).</summary>
    public ImtlOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    /// <summary>Whether the last call had to fall back to least squares (the system was singular).</summary>
    public bool LastWasSingular { get; private set; }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        Span<double> inv = stackalloc double[k];   // 1/‖gₖ‖, 0 for a zero gradient
        for (int t = 0; t < k; t++) inv[t] = gram[t, t] > 0 ? 1 / Math.Sqrt(gram[t, t]) : 0;
        var a = new double[k, k];
        Span<double> b = stackalloc double[k];
        b.Clear();
        b[0] = 1;
        for (int m = 0; m < k; m++)
        {
            a[0, m] = 1;   // Σ wₘ = 1
            for (int r = 1; r < k; r++) a[r, m] = gram[m, 0] * inv[0] - gram[m, r] * inv[r];   // gₘ·(u₁ − uᵣ)
        }
        LastWasSingular = !SmallLinearSolver.Solve(a, b, weights);
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
