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
/// A zero gradient has no direction: that task gets weight 0 and the others are balanced among themselves.
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
        Span<int> live = stackalloc int[k];   // tasks with a non-zero gradient (a zero one has no direction: weight 0)
        int n = 0;
        for (int t = 0; t < k; t++)
            if (gram[t, t] > 0) live[n++] = t;
        weights.Clear();
        LastWasSingular = false;
        if (n == 0) weights.Fill(1.0 / k);   // every gradient is zero: so is the result
        else
        {
            var a = new double[n, n];
            var b = new double[n];
            var w = new double[n];
            b[0] = 1;
            int first = live[0];
            for (int j = 0; j < n; j++)
            {
                int m = live[j];
                a[0, j] = 1;   // Σ wₘ = 1
                for (int i = 1; i < n; i++)   // gₘ·(u₁ − uᵢ) = (G·Gᵀ)ₘ₁/‖g₁‖ − (G·Gᵀ)ₘᵢ/‖gᵢ‖
                    a[i, j] = gram[m, first] / Math.Sqrt(gram[first, first]) - gram[m, live[i]] / Math.Sqrt(gram[live[i], live[i]]);
            }
            LastWasSingular = !SmallLinearSolver.Solve(a, b, w);
            for (int j = 0; j < n; j++) weights[live[j]] = w[j];
        }
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
