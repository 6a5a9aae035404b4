// Differentiable nuclear (trace) norm of a matrix: the sum of its singular values, via the small Gramian in double.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Matrix norms beyond the element-wise ones.</summary>
public static class NuclearNormOps
{
    /// <summary>Default relative cut-off of <see cref="NuclearNorm"/>'s gradient (see there).</summary>
    public const double DefaultEps = 1e-6;

    /// <summary>
    /// ‖W‖_* = Σ σ_i, the sum of the singular values of a matrix W (K, P) — as <c>torch.linalg.matrix_norm(W, 'nuc')</c>;
    /// meant for a few rows (K tasks) and many columns. Computed in double precision from the eigenvalues λ_i = σ_i² of
    /// the min(K, P)-square Gramian W·Wᵀ (or Wᵀ·W) by a Jacobi eigen-solver, so no P×P work is needed. Returns a 0-d
    /// tensor of W's dtype.
    /// <para>
    /// Backward: dW = g·U·Vᵀ = g·(W·Wᵀ)^(−1/2)·W over the singular values with σ_i &gt; <paramref name="eps"/>·σ_max
    /// only. Where W is rank-deficient the norm is not differentiable; dropping the (numerically noisy) near-zero
    /// directions gives the minimum-norm subgradient. Through the Gramian a zero singular value comes out near
    /// √(ulp)·σ_max ≈ 1e-8·σ_max, so <paramref name="eps"/> must stay well above 1e-8; a true singular value below
    /// eps·σ_max loses its (unit) share of the gradient. First-order only (no double backward).
    /// </para>
    /// </summary>
    public static Tensor NuclearNorm(this Tensor w, double eps = DefaultEps)
    {
        const string op = "nuclear_norm";
        FloatCheck.Require(op, w);
        if (w.Rank != 2)
            throw new ArgumentException($"{op}: expects a matrix (K, P), got {w.DType} {w.ShapeString} of rank {w.Rank}");
        if (!(eps >= 0 && eps < 1))
            throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be in [0, 1), got {eps} (input {w.ShapeString})");
        int rows = w.Shape[0], cols = w.Shape[1];
        var (norm, saved) = NuclearNormKernel.Forward(w.ToDoubleArray(), rows, cols, eps);
        var r = Tensor.Scalar(norm, w.DType);
        if (!Autograd.ShouldRecord(w)) return r;
        return Autograd.Record(r, op, [w], g =>
        {
            Autograd.RequireFirstOrder(op, g);
            var grad = NuclearNormKernel.Backward(saved, g.Item());        // (K, P)
            return [w.DType == DType.Float64 ? Tensor.From(grad, rows, cols) : Tensor.From(grad.Select(v => (float)v).ToArray(), rows, cols)];
        });
    }
}
