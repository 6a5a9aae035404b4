// Divergence losses: KL divergence as torch.nn.functional.kl_div, and the temperature-scaled distillation loss.
namespace Mtl.NN;

public static partial class Losses
{
    /// <summary>
    /// KL divergence terms of log-probabilities <paramref name="input"/> (log q) against a target distribution p of the
    /// same shape, as <c>torch.nn.functional.kl_div</c>: point-wise p·(log p − log q) with 0·log 0 = 0, where the
    /// target is p, or log p when <paramref name="logTarget"/> (then e^(log p)·(log p − log q)). Summed over the
    /// classes and divided by the batch size (<see cref="KlReduction.BatchMean"/>, the default here) this is
    /// KL(p ‖ q) per sample; PyTorch's default 'mean' divides by every element instead. Gradients flow to both.
    /// </summary>
    public static Tensor KlDivergence(Tensor input, Tensor target, KlReduction reduction = KlReduction.BatchMean, bool logTarget = false)
    {
        const string op = "kl_div";
        if (reduction is not (KlReduction.BatchMean or KlReduction.Mean or KlReduction.Sum or KlReduction.None))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: unknown reduction {reduction}");
        LossChecks.SameFloat(op, input, target);
        var pointwise = logTarget
            ? target.Exp().Mul(target.Sub(input))
            : XLogX(target).Sub(target.Mul(input));
        return reduction switch
        {
            KlReduction.None => pointwise,
            KlReduction.Sum => pointwise.Sum(),
            KlReduction.Mean => pointwise.Sum().MulScalar(1.0 / pointwise.Numel),
            _ => input.Rank == 0 ? pointwise.Sum() : pointwise.Sum().MulScalar(1.0 / input.Shape[0]),
        };
    }

    /// <summary>
    /// Knowledge-distillation loss of Hinton, Vinyals &amp; Dean (2015), "Distilling the Knowledge in a Neural Network":
    /// T²·KL(softmax(teacher/T) ‖ softmax(student/T)) per sample (batch mean), classes on axis 1 of logits (N, C) or
    /// (N, C, d1, ...). The T² factor keeps the gradient scale independent of the temperature T &gt; 0. Gradients flow
    /// to both logits; pass <c>teacherLogits.Detach()</c> (or compute them under NoGrad) to keep the teacher fixed.
    /// </summary>
    public static Tensor DistillationKl(Tensor studentLogits, Tensor teacherLogits, double temperature = 1)
    {
        const string op = "distillation_kl";
        CheckTemperature(op, temperature);
        LossChecks.Float(op, studentLogits, "studentLogits");
        ArgumentNullException.ThrowIfNull(teacherLogits);
        if (teacherLogits.DType != studentLogits.DType)
            throw new ArgumentException($"{op}: teacherLogits {teacherLogits.DType} {teacherLogits.ShapeString} must have the student's dtype {studentLogits.DType}");
        LossChecks.SameShape(op, studentLogits, teacherLogits, "studentLogits");
        if (studentLogits.Rank < 2)
            throw new ArgumentException($"{op}: logits must be (N, C) or (N, C, d1, ...), got {studentLogits.ShapeString}");
        var logQ = studentLogits.MulScalar(1 / temperature).LogSoftmax(1);
        var logP = teacherLogits.MulScalar(1 / temperature).LogSoftmax(1);
        return KlDivergence(logQ, logP, KlReduction.BatchMean, logTarget: true).MulScalar(temperature * temperature);
    }

    internal static void CheckTemperature(string op, double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"{op}: temperature must be positive and finite, got {temperature}");
    }

    /// <summary>p·log p with 0·log 0 = 0 (PyTorch's xlogy(p, p)); differentiable where p &gt; 0, NaN where p &lt; 0.</summary>
    private static Tensor XLogX(Tensor p)
    {
        var nonZero = p.Ne(Tensor.Scalar(0, p.DType));
        var safe = CompareOps.Where(nonZero, p, Tensor.Scalar(1, p.DType)); // log 1 = 0 where p = 0
        return CompareOps.Where(nonZero, p.Mul(safe.Log()), Tensor.Scalar(0, p.DType));
    }
}
