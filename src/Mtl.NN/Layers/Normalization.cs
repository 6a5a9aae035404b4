// Normalisation layers: BatchNorm1d/2d (running statistics as buffers) and LayerNorm.
namespace Mtl.NN;

/// <summary>
/// Batch normalisation over channel dimension 1 (PyTorch's BatchNorm1d for (N, C) or (N, C, L) input, BatchNorm2d for
/// (N, C, H, W)). Weight = 1, bias = 0; buffers running_mean = 0, running_var = 1, num_batches_tracked.
/// </summary>
public class BatchNorm : Module<Tensor, Tensor>
{
    private readonly int[] _ranks;

    protected BatchNorm(int numFeatures, double eps, double momentum, bool affine, bool trackRunningStats, int[] ranks)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: numFeatures must be positive, got {numFeatures}");
        if (momentum < 0 || momentum > 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{GetType().Name}: momentum must be in [0, 1]");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        _ranks = ranks;
        Weight = RegisterParameter("weight", affine ? Tensor.EmptyUnscoped([numFeatures]) : null);
        Bias = RegisterParameter("bias", affine ? Tensor.EmptyUnscoped([numFeatures]) : null);
        RunningMean = RegisterBuffer("running_mean", trackRunningStats ? Tensor.EmptyUnscoped([numFeatures]) : null);
        RunningVar = RegisterBuffer("running_var", trackRunningStats ? Tensor.EmptyUnscoped([numFeatures]) : null);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.EmptyUnscoped([], DType.Int32) : null);
        using (GradMode.NoGrad()) ResetOwnParameters(Init.DefaultGenerator);
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? NumBatchesTracked { get; }

    public override Tensor Forward(Tensor x)
    {
        if (Array.IndexOf(_ranks, x.Rank) < 0 || x.Shape[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): expected input of rank {string.Join(" or ", _ranks)} with {NumFeatures} channels in dim 1, got {x.ShapeString}");
        bool useBatchStats = Training || RunningMean is null;
        if (Training && NumBatchesTracked is not null)
            using (GradMode.NoGrad()) NumBatchesTracked.Fill(NumBatchesTracked.Item() + 1);
        return x.BatchNorm(RunningMean, RunningVar, Weight, Bias, useBatchStats, Momentum, Eps);
    }

    protected override void ResetOwnParameters(Generator generator)
    {
        if (Weight is not null) Init.Constant(Weight, 1);
        if (Bias is not null) Init.Constant(Bias, 0);
        RunningMean?.Fill(0);
        RunningVar?.Fill(1);
        NumBatchesTracked?.Fill(0);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}, affine={Weight is not null}, track_running_stats={RunningMean is not null}";
}

/// <summary>Batch norm for (N, C) or (N, C, L) input.</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, [2, 3]);

/// <summary>Batch norm for (N, C, H, W) input.</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, [4]);

/// <summary>Layer normalisation over the trailing <c>normalizedShape</c> dims; weight = 1, bias = 0.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly int[] _shape;

    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: invalid normalized shape {ShapeUtil.Format(normalizedShape)}");
        _shape = normalizedShape.ToArray();
        Eps = eps;
        Weight = RegisterParameter("weight", elementwiseAffine ? Tensor.EmptyUnscoped(_shape) : null);
        Bias = RegisterParameter("bias", elementwiseAffine ? Tensor.EmptyUnscoped(_shape) : null);
        using (GradMode.NoGrad()) ResetOwnParameters(Init.DefaultGenerator);
    }

    public LayerNorm(int normalizedSize, double eps = 1e-5, bool elementwiseAffine = true) : this([normalizedSize], eps, elementwiseAffine) { }

    public double Eps { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) => x.LayerNorm(_shape, Weight, Bias, Eps);

    protected override void ResetOwnParameters(Generator generator)
    {
        if (Weight is not null) Init.Constant(Weight, 1);
        if (Bias is not null) Init.Constant(Bias, 0);
    }

    protected override string ExtraRepr() => $"{ShapeUtil.Format(_shape)}, eps={Eps}, elementwise_affine={Weight is not null}";
}
