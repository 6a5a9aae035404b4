// Binary losses: binary cross-entropy on probabilities (logs clamped at −100) and the stable form on logits with pos_weight.
using System.Numerics;

namespace Mtl.NN;

public static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy on logits x with float targets t of the same shape (multi-label classification), in the
    /// numerically stable form (PyTorch's <c>binary_cross_entropy_with_logits</c>):
    /// loss = w·((1 − t)·x + l·log(1 + e^(−x))), l = 1 + (p − 1)·t, which without pos_weight p equals
    /// max(x, 0) − x·t + log(1 + e^(−|x|)). <paramref name="weight"/> and <paramref name="posWeight"/> (typically (C),
    /// weighting the positive term of each class) broadcast to x's shape. Gradients flow to x, t and the weights;
    /// dloss/dx = w·(l·σ(x) − p·t).
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy_with_logits";
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, logits, target);
        LossChecks.BroadcastsTo(op, weight, "weight", logits);
        LossChecks.BroadcastsTo(op, posWeight, "posWeight", logits);
        var softplusNeg = logits.Neg().Softplus(threshold: double.PositiveInfinity); // log(1 + e^(−x)), stable
        var logWeight = posWeight is null ? null : posWeight.AddScalar(-1).Mul(target).AddScalar(1);
        var loss = target.RSubScalar(1).Mul(logits).Add(logWeight is null ? softplusNeg : logWeight.Mul(softplusNeg));
        if (weight is not null) loss = loss.Mul(weight);
        return Reductions.Apply(loss, reduction);
    }

    /// <summary>
    /// Binary cross-entropy on probabilities x ∈ [0, 1] with float targets t of the same shape:
    /// loss = −w·(t·max(log x, −100) + (1 − t)·max(log(1 − x), −100)), the logs clamped as in PyTorch so that x = 0 or 1
    /// gives a finite loss. The input gradient is PyTorch's w·(x − t) / max(x·(1 − x), 10⁻¹²), finite everywhere.
    /// Prefer <see cref="BinaryCrossEntropyWithLogits"/> on logits, which is exact where sigmoid saturates.
    /// </summary>
    /// <exception cref="ArgumentException">An input element outside [0, 1] (or NaN), mismatched shapes or dtypes.</exception>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy";
        Reductions.Check(op, reduction);
        LossChecks.SameFloat(op, probabilities, target);
        LossChecks.BroadcastsTo(op, weight, "weight", probabilities);
        if (probabilities.DType == DType.Float32) CheckProbabilities<float>(op, probabilities);
        else CheckProbabilities<double>(op, probabilities);

        var x = probabilities;
        Tensor loss;
        using (GradMode.NoGrad())
        {
            Tensor xd = x.Detach(), td = target.Detach();
            loss = td.Mul(ClampedLog(xd)).Add(td.RSubScalar(1).Mul(ClampedLog(xd.RSubScalar(1)))).Neg();
        }
        if (Autograd.ShouldRecord(x, target))
        {
            Autograd.Record(loss, op, [x, target], g =>
            [
                x.RequiresGrad ? g.Mul(x.Sub(target)).Div(x.Mul(x.RSubScalar(1)).Clamp(min: 1e-12)) : null,
                target.RequiresGrad ? g.Mul(ClampedLog(x.RSubScalar(1)).Sub(ClampedLog(x))) : null,
            ], x, target);
        }
        if (weight is not null) loss = loss.Mul(weight);
        return Reductions.Apply(loss, reduction);
    }

    private static Tensor ClampedLog(Tensor x) => x.Log().Clamp(min: -100);

    private static void CheckProbabilities<T>(string op, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor dense;
        using (GradMode.NoGrad()) dense = x.Detach().Contiguous();
        ReadOnlySpan<T> v = dense.Span<T>();
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] >= T.Zero && v[i] <= T.One) continue;
            throw new ArgumentException(
                $"{op}: input {x.ShapeString} must hold probabilities in [0, 1], found {v[i]} at position {Mtl.Kernels.IndexKernels.Position(i, x.Shape)}");
        }
    }
}
