// Classification losses: cross-entropy (class indices or class probabilities, weights, ignore index, label smoothing) and NLL.
namespace Mtl.NN;

/// <summary>
/// Loss functions with PyTorch semantics (<c>torch.nn.functional</c>), including reductions. Every loss validates its
/// arguments up front: prediction and target shapes must match exactly (no silent broadcasting), regression targets
/// must be floats of the prediction's dtype and class-index targets Int32.
/// </summary>
public static partial class Losses
{
    /// <summary>
    /// Cross-entropy of <paramref name="logits"/> (N, C), (N, C, d1, ..., dk) or (C) along the class axis 1 (0 for 1-D).
    /// <para>
    /// Class-index target (Int32, shape (N, d1, ..., dk) or ()), per position i with target t, log-probabilities
    /// ℓ = log_softmax(x_i), class weights w (ones when <paramref name="weight"/> is null) and smoothing ε:
    /// loss_i = (1 − ε)·(−w[t]·ℓ[t]) + (ε/C)·(−Σ_c w[c]·ℓ[c]), and 0 where t = <paramref name="ignoreIndex"/>.
    /// Mean divides the sum by Σ_i w[t_i] over non-ignored positions (the number of them when unweighted), as PyTorch
    /// does, so Mean of all-ignored targets is NaN; None gives the target's shape.
    /// </para>
    /// <para>
    /// Class-probability target (float, the logits' shape): with q = (1 − ε)·target + ε/C,
    /// loss_i = −Σ_c w[c]·q[c]·ℓ[c]; Mean divides the sum by the number of positions N·d1·…·dk. ignoreIndex must be
    /// left at −100 (PyTorch refuses it for probability targets).
    /// </para>
    /// Gradients flow to the logits (and to a probability target); the weight is a constant. The (N, C) and
    /// class-index case runs a fused kernel; the composed log-softmax + gather form is its test oracle.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A class index outside [0, C) that is not ignoreIndex, or ε outside [0, 1].</exception>
    /// <exception cref="ArgumentException">Mismatched shapes, dtypes or weight size.</exception>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, int ignoreIndex = -100, double labelSmoothing = 0,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "cross_entropy";
        CheckCrossEntropyOptions(op, logits, target, labelSmoothing, reduction);
        if (target.DType.IsFloating()) return CrossEntropyProbabilities(op, logits, target, weight, ignoreIndex, labelSmoothing, reduction);
        var targets = ClassTargets.Check(op, logits, target, ignoreIndex);
        int c = targets.Classes;
        LossChecks.ClassWeight(op, weight, logits, c);
        Tensor rows = logits.Rank switch // (M, C): one row per target position
        {
            1 => logits.Reshape(1, c),
            2 => logits,
            _ => logits.Permute([0, .. Enumerable.Range(2, logits.Rank - 2), 1]).Reshape(targets.Count, c),
        };
        var loss = CrossEntropyFused.Run(rows, targets, weight, labelSmoothing, reduction);
        return reduction == Reduction.None ? loss.Reshape(targets.LossShape) : loss;
    }

    /// <summary>
    /// Negative log-likelihood of log-probabilities <paramref name="logProbs"/> (N, C), (N, C, d1, ..., dk) or (C) and
    /// Int32 class indices <paramref name="target"/> (N, d1, ..., dk) or (): loss_i = −w[t_i]·logProbs[i, t_i], 0 where
    /// t_i = <paramref name="ignoreIndex"/>. Mean divides the sum by Σ_i w[t_i] over non-ignored positions (NaN when
    /// all are ignored). Gradients flow to the log-probabilities; the weight is a constant.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A class index outside [0, C) that is not ignoreIndex.</exception>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        const string op = "nll_loss";
        Reductions.Check(op, reduction);
        var targets = ClassTargets.Check(op, logProbs, target, ignoreIndex);
        LossChecks.ClassWeight(op, weight, logProbs, targets.Classes);
        return Nll(logProbs, targets, weight, reduction);
    }

    /// <summary>
    /// The composed form of <see cref="CrossEntropy"/> for class-index targets (log_softmax, gather, sums): the oracle
    /// the fused kernel is tested against.
    /// </summary>
    internal static Tensor CrossEntropyComposed(Tensor logits, Tensor target, Tensor? weight = null, int ignoreIndex = -100, double labelSmoothing = 0,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "cross_entropy";
        CheckCrossEntropyOptions(op, logits, target, labelSmoothing, reduction);
        var targets = ClassTargets.Check(op, logits, target, ignoreIndex);
        LossChecks.ClassWeight(op, weight, logits, targets.Classes);
        int axis = logits.Rank == 1 ? 0 : 1;
        var logp = logits.LogSoftmax(axis);
        var nll = Nll(logp, targets, weight, reduction);
        if (labelSmoothing == 0) return nll;
        var (_, total) = targets.TargetWeights(weight);
        var weighted = weight is null ? logp : logp.Mul(weight.Detach().Reshape(ClassAxisShape(logits.Rank, targets.Classes)));
        var smooth = weighted.Sum(axis).Neg().Mul(MaskOfNonIgnored(targets, logits.DType)); // target's shape
        var smoothReduced = reduction switch
        {
            Reduction.None => smooth,
            Reduction.Sum => smooth.Sum(),
            _ => smooth.Sum().MulScalar(1.0 / total),
        };
        return nll.MulScalar(1 - labelSmoothing).Add(smoothReduced.MulScalar(labelSmoothing / targets.Classes));
    }

    /// <summary>−w[t]·logp[t] per target position, reduced (Mean divides by Σ w[t] over non-ignored positions).</summary>
    private static Tensor Nll(Tensor logp, ClassTargets targets, Tensor? weight, Reduction reduction)
    {
        int[] indexShape = logp.Rank == 1 ? [1] : [logp.Shape[0], 1, .. logp.ShapeArray[2..]];
        var index = Tensor.From<int>(targets.SafeValues(), indexShape);             // (N, 1, d...) or (1)
        var picked = logp.Gather(logp.Rank == 1 ? 0 : 1, index).Reshape(targets.LossShape); // (N, d...) or ()
        var (perTarget, total) = targets.TargetWeights(weight);
        var loss = picked.Mul(ClassTargets.Constant(perTarget, targets.LossShape, logp.DType)).Neg();
        return reduction switch
        {
            Reduction.None => loss,
            Reduction.Sum => loss.Sum(),
            _ => loss.Sum().MulScalar(1.0 / total),
        };
    }

    /// <summary>Cross-entropy against class probabilities of the logits' shape (always composed).</summary>
    private static Tensor CrossEntropyProbabilities(string op, Tensor logits, Tensor target, Tensor? weight, int ignoreIndex, double labelSmoothing,
        Reduction reduction)
    {
        LossChecks.Float(op, logits, "input");
        if (target.DType != logits.DType || !ShapeUtil.SameShape(target.Shape, logits.Shape))
            throw new ArgumentException(
                $"{op}: a float target holds class probabilities and must match the logits {logits.DType} {logits.ShapeString}, got {target.DType} {target.ShapeString} (class indices must be Int32)");
        if (ignoreIndex != -100)
            throw new ArgumentException($"{op}: ignoreIndex ({ignoreIndex}) is not supported with class-probability targets {target.ShapeString}");
        if (logits.Rank == 0) throw new ArgumentException($"{op}: input must have a class dimension, (C), (N, C) or (N, C, d1, ...), got {logits.ShapeString}");
        int axis = logits.Rank == 1 ? 0 : 1, c = logits.Shape[axis];
        LossChecks.ClassWeight(op, weight, logits, c);
        var q = labelSmoothing > 0 ? target.MulScalar(1 - labelSmoothing).AddScalar(labelSmoothing / c) : target;
        var prod = logits.LogSoftmax(axis).Mul(q);
        if (weight is not null) prod = prod.Mul(weight.Detach().Reshape(ClassAxisShape(logits.Rank, c)));
        return reduction switch
        {
            Reduction.None => prod.Sum(axis).Neg(),
            Reduction.Sum => prod.Sum().Neg(),
            _ => prod.Sum().Neg().MulScalar(c == 0 ? double.NaN : (double)c / logits.Numel),
        };
    }

    private static void CheckCrossEntropyOptions(string op, Tensor logits, Tensor target, double labelSmoothing, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        Reductions.Check(op, reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"{op}: labelSmoothing must be in [0, 1], got {labelSmoothing}");
    }

    /// <summary>(1, C, 1, ..., 1) for a rank-r input (just (C) for a 1-D one), to broadcast a class vector.</summary>
    private static int[] ClassAxisShape(int rank, int classes)
    {
        if (rank == 1) return [classes];
        var s = Enumerable.Repeat(1, rank).ToArray();
        s[1] = classes;
        return s;
    }

    /// <summary>1 at non-ignored target positions, 0 at ignored ones, in the target's shape.</summary>
    private static Tensor MaskOfNonIgnored(ClassTargets targets, DType dtype) =>
        ClassTargets.Constant(targets.Values.Select(t => t == targets.IgnoreIndex ? 0.0 : 1.0).ToArray(), targets.LossShape, dtype);
}
