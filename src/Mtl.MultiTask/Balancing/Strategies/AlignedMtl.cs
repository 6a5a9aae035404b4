// Aligned-MTL (Senushkin et al. 2023): align the task gradients' principal components to one scale, then sum.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="AlignedMtl"/>.</summary>
public sealed record AlignedMtlOptions
{
    /// <summary>
    /// The common singular value s every principal component is rescaled to: <c>min</c> (σ_min, the paper's choice
    /// and the default of the authors' code and LibMTL), <c>median</c> (the lower median of the σᵣ, as torch.median) or
    /// <c>rmse</c> (√(mean σᵣ²)) — the authors' code's <c>scale_mode</c>.
    /// </summary>
    public string ScaleMode { get; init; } = "min";
}

/// <summary>
/// Aligned-MTL (Senushkin, Patakin, Kuznetsov &amp; Konushin 2023, "Independent Component Alignment for Multi-Task
/// Learning"). With the Gramian M = GGᵀ = VΛVᵀ (eigenvalues λᵣ = σᵣ², the squared singular values of G), the task
/// gradients G = VΣQᵀ are replaced by the aligned system Ĝ = s·VQᵀ = B·G with B = s·VΣ⁻¹Vᵀ, whose condition number
/// is 1; the combined gradient is 1ᵀĜ, i.e. weights w = B·1 (B is symmetric). Components with λᵣ ≤ λ_max·K·ε₃₂ are
/// dropped (the rank cut-off of the authors' code and LibMTL, float32 ε), so equal gradients give w = 1 (K·g) and
/// zero gradients w = 0. Orthogonal gradients of norms 1 and 2 give w = (1, ½): both components end with length 1.
/// <para>
/// Aligned-MTL-UB is the same computation on the gradients w.r.t. the shared representation (trainer option
/// <c>GradientSpace.Representation</c>). The authors' pre-weighting of the aligned rows by task weights is the
/// identity here (all 1).
/// </para>
/// </summary>
public sealed class AlignedMtl : BalancingStrategy
{
    private readonly string _scaleMode;

    public AlignedMtl(AlignedMtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ScaleMode is not ("min" or "median" or "rmse"))
            throw new ArgumentException($"strategy 'alignedmtl': ScaleMode must be one of min, median, rmse; got '{options.ScaleMode}'");
        _scaleMode = options.ScaleMode;
    }

    public override bool NeedsGradients => true;
    public override bool SupportsRepresentation => true;

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var (lambda, v) = SymmetricSpectrum.Decompose(gradients.Gramian());   // descending
        int rank = SymmetricSpectrum.Rank(lambda);
        weights.Clear();
        if (rank > 0)
        {
            double s = Math.Sqrt(_scaleMode switch
            {
                "median" => lambda[rank / 2],            // lower median of the kept λ (descending order)
                "rmse" => lambda.AsSpan(0, rank).ToArray().Average(),
                _ => lambda[rank - 1],                   // σ_min²
            });
            for (int r = 0; r < rank; r++)
            {
                double f = s / Math.Sqrt(lambda[r]);     // s/σᵣ
                double vSum = 0;                         // vᵣᵀ1
                for (int m = 0; m < k; m++) vSum += v[m, r];
                for (int m = 0; m < k; m++) weights[m] += f * v[m, r] * vSum;   // (B·1)ₘ += (s/σᵣ)·vᵣₘ·(vᵣᵀ1)
            }
        }
        gradients.WeightedSum(weights, combined);
        return true;
    }
}
