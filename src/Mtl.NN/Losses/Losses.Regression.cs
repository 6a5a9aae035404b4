// Regression losses on equal-shaped float tensors: mean squared error, L1, Huber and smooth L1.
namespace Mtl.NN;

public static partial class Losses
{
    /// <summary>Squared error (x − y)², reduced. Shapes must match exactly (no broadcasting). Gradients flow to both.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "mse_loss";
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, prediction, target);
        return Reductions.Apply(prediction.Sub(target).Square(), reduction);
    }

    /// <summary>Absolute error |x − y|, reduced; the gradient at x = y is 0 (as PyTorch). Shapes must match exactly.</summary>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "l1_loss";
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, prediction, target);
        return Reductions.Apply(prediction.Sub(target).Abs(), reduction);
    }

    /// <summary>
    /// Huber loss with threshold δ &gt; 0, on d = x − y: 0.5·d² where |d| &lt; δ, δ·(|d| − 0.5·δ) elsewhere
    /// (quadratic near zero, linear with slope δ beyond). Equals δ·SmoothL1(β = δ). Shapes must match exactly.
    /// </summary>
    public static Tensor Huber(Tensor prediction, Tensor target, double delta = 1, Reduction reduction = Reduction.Mean)
    {
        const string op = "huber_loss";
        CheckHuberDelta(op, delta);
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, prediction, target);
        var d = prediction.Sub(target);
        var a = d.Abs();
        var quadratic = d.Square().MulScalar(0.5);
        var linear = a.AddScalar(-0.5 * delta).MulScalar(delta);
        return Reductions.Apply(CompareOps.Where(a.LtScalar(delta), quadratic, linear), reduction);
    }

    /// <summary>
    /// Smooth L1 loss with threshold β ≥ 0, on d = x − y: 0.5·d²/β where |d| &lt; β, |d| − 0.5·β elsewhere
    /// (β = 0 gives the L1 loss). Shapes must match exactly.
    /// </summary>
    public static Tensor SmoothL1(Tensor prediction, Tensor target, double beta = 1, Reduction reduction = Reduction.Mean)
    {
        const string op = "smooth_l1_loss";
        CheckSmoothL1Beta(op, beta);
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, prediction, target);
        var d = prediction.Sub(target);
        var a = d.Abs();
        if (beta == 0) return Reductions.Apply(a, reduction);
        var quadratic = d.Square().MulScalar(0.5 / beta);
        var linear = a.AddScalar(-0.5 * beta);
        return Reductions.Apply(CompareOps.Where(a.LtScalar(beta), quadratic, linear), reduction);
    }

    internal static void CheckHuberDelta(string op, double delta)
    {
        if (!(delta > 0) || double.IsInfinity(delta))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"{op}: delta must be positive and finite, got {delta}");
    }

    internal static void CheckSmoothL1Beta(string op, double beta)
    {
        if (!(beta >= 0) || double.IsInfinity(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"{op}: beta must be non-negative and finite, got {beta}");
    }
}
