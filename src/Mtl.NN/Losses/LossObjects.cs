// Loss objects: each loss's options fixed at construction behind the ILoss interface, for task specifications.
using System.Globalization;

namespace Mtl.NN;

/// <summary>Common base of the loss objects: a name, and ToString listing the options.</summary>
public abstract class LossBase : ILoss
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract Tensor Compute(Tensor prediction, Tensor target);

    /// <summary>The options as "key=value" pairs for <see cref="ToString"/>.</summary>
    protected abstract IEnumerable<string> Options();

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({string.Join(", ", Options())})";

    private protected static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private protected static string Shape(Tensor? t) => t is null ? "null" : t.ShapeString;

    /// <summary>Takes a long-lived option tensor out of any TensorScope (like a module buffer).</summary>
    private protected static Tensor? Hold(Tensor? t) => t?.Keep();
}

/// <summary>Cross-entropy on logits: <see cref="Losses.CrossEntropy"/> with fixed options.</summary>
public sealed class CrossEntropyLoss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.CrossEntropy"/>.</summary>
    public CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = -100, double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"cross_entropy: labelSmoothing must be in [0, 1], got {labelSmoothing}");
        if (weight is not null && (weight.Rank != 1 || !weight.DType.IsFloating()))
            throw new ArgumentException($"cross_entropy: weight must be a 1-D float tensor (one entry per class), got {weight.DType} {weight.ShapeString}");
        Reductions.Check(Name, reduction);
        Weight = Hold(weight);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
    }

    public Tensor? Weight { get; }
    public int IgnoreIndex { get; }
    public double LabelSmoothing { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "cross_entropy";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) =>
        Losses.CrossEntropy(prediction, target, Weight, IgnoreIndex, LabelSmoothing, Reduction);

    protected override IEnumerable<string> Options() =>
        [$"weight={Shape(Weight)}", $"ignoreIndex={IgnoreIndex}", $"labelSmoothing={Num(LabelSmoothing)}", $"reduction={Reduction}"];
}

/// <summary>Negative log-likelihood on log-probabilities: <see cref="Losses.NllLoss"/> with fixed options.</summary>
public sealed class NllLoss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.NllLoss"/>.</summary>
    public NllLoss(Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        if (weight is not null && (weight.Rank != 1 || !weight.DType.IsFloating()))
            throw new ArgumentException($"nll_loss: weight must be a 1-D float tensor (one entry per class), got {weight.DType} {weight.ShapeString}");
        Reductions.Check(Name, reduction);
        Weight = Hold(weight);
        IgnoreIndex = ignoreIndex;
        Reduction = reduction;
    }

    public Tensor? Weight { get; }
    public int IgnoreIndex { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "nll_loss";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.NllLoss(prediction, target, Weight, IgnoreIndex, Reduction);

    protected override IEnumerable<string> Options() => [$"weight={Shape(Weight)}", $"ignoreIndex={IgnoreIndex}", $"reduction={Reduction}"];
}

/// <summary>Binary cross-entropy on logits: <see cref="Losses.BinaryCrossEntropyWithLogits"/> with fixed options.</summary>
public sealed class BceWithLogitsLoss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.BinaryCrossEntropyWithLogits"/>.</summary>
    public BceWithLogitsLoss(Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        Reductions.Check(Name, reduction);
        Weight = Hold(weight);
        PosWeight = Hold(posWeight);
        Reduction = reduction;
    }

    public Tensor? Weight { get; }
    public Tensor? PosWeight { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "binary_cross_entropy_with_logits";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) =>
        Losses.BinaryCrossEntropyWithLogits(prediction, target, Weight, PosWeight, Reduction);

    protected override IEnumerable<string> Options() => [$"weight={Shape(Weight)}", $"posWeight={Shape(PosWeight)}", $"reduction={Reduction}"];
}

/// <summary>Binary cross-entropy on probabilities: <see cref="Losses.BinaryCrossEntropy"/> with fixed options.</summary>
public sealed class BceLoss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.BinaryCrossEntropy"/>.</summary>
    public BceLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        Reductions.Check(Name, reduction);
        Weight = Hold(weight);
        Reduction = reduction;
    }

    public Tensor? Weight { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "binary_cross_entropy";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.BinaryCrossEntropy(prediction, target, Weight, Reduction);

    protected override IEnumerable<string> Options() => [$"weight={Shape(Weight)}", $"reduction={Reduction}"];
}

/// <summary>Mean squared error: <see cref="Losses.Mse"/> with a fixed reduction.</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : LossBase
{
    public Reduction Reduction { get; } = Checked("mse_loss", reduction);

    /// <inheritdoc />
    public override string Name => "mse_loss";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Mse(prediction, target, Reduction);

    protected override IEnumerable<string> Options() => [$"reduction={Reduction}"];

    internal static Reduction Checked(string op, Reduction r)
    {
        Reductions.Check(op, r);
        return r;
    }
}

/// <summary>Absolute error: <see cref="Losses.L1"/> with a fixed reduction.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : LossBase
{
    public Reduction Reduction { get; } = MseLoss.Checked("l1_loss", reduction);

    /// <inheritdoc />
    public override string Name => "l1_loss";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.L1(prediction, target, Reduction);

    protected override IEnumerable<string> Options() => [$"reduction={Reduction}"];
}

/// <summary>Huber loss: <see cref="Losses.Huber"/> with fixed options.</summary>
public sealed class HuberLoss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.Huber"/>.</summary>
    public HuberLoss(double delta = 1, Reduction reduction = Reduction.Mean)
    {
        Losses.CheckHuberDelta(Name, delta);
        Reduction = MseLoss.Checked(Name, reduction);
        Delta = delta;
    }

    public double Delta { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "huber_loss";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Huber(prediction, target, Delta, Reduction);

    protected override IEnumerable<string> Options() => [$"delta={Num(Delta)}", $"reduction={Reduction}"];
}

/// <summary>Smooth L1 loss: <see cref="Losses.SmoothL1"/> with fixed options.</summary>
public sealed class SmoothL1Loss : LossBase
{
    /// <summary>Fixes the options; see <see cref="Losses.SmoothL1"/>.</summary>
    public SmoothL1Loss(double beta = 1, Reduction reduction = Reduction.Mean)
    {
        Losses.CheckSmoothL1Beta(Name, beta);
        Reduction = MseLoss.Checked(Name, reduction);
        Beta = beta;
    }

    public double Beta { get; }
    public Reduction Reduction { get; }

    /// <inheritdoc />
    public override string Name => "smooth_l1_loss";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.SmoothL1(prediction, target, Beta, Reduction);

    protected override IEnumerable<string> Options() => [$"beta={Num(Beta)}", $"reduction={Reduction}"];
}

/// <summary>KL divergence of log-probabilities: <see cref="Losses.KlDivergence"/> with fixed options.</summary>
public sealed class KlDivLoss(KlReduction reduction = KlReduction.BatchMean, bool logTarget = false) : LossBase
{
    public KlReduction Reduction { get; } = reduction is KlReduction.BatchMean or KlReduction.Mean or KlReduction.Sum or KlReduction.None
        ? reduction
        : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"kl_div: unknown reduction {reduction}");
    public bool LogTarget { get; } = logTarget;

    /// <inheritdoc />
    public override string Name => "kl_div";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.KlDivergence(prediction, target, Reduction, LogTarget);

    protected override IEnumerable<string> Options() => [$"reduction={Reduction}", $"logTarget={LogTarget}"];
}

/// <summary>
/// Distillation loss: <see cref="Losses.DistillationKl"/> with a fixed temperature; the prediction is the student's
/// logits and the target the teacher's.
/// </summary>
public sealed class DistillationLoss : LossBase
{
    /// <summary>Fixes the temperature (&gt; 0); see <see cref="Losses.DistillationKl"/>.</summary>
    public DistillationLoss(double temperature = 1)
    {
        Losses.CheckTemperature(Name, temperature);
        Temperature = temperature;
    }

    public double Temperature { get; }

    /// <inheritdoc />
    public override string Name => "distillation_kl";

    /// <inheritdoc />
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.DistillationKl(prediction, target, Temperature);

    protected override IEnumerable<string> Options() => [$"temperature={Num(Temperature)}"];
}
