// A dataset of a frozen encoder's outputs: the encoder runs once over the source, the labels are the source's.
using Mtl.Data;
using Mtl.MultiTask.Training;
using Mtl.NN;

namespace Mtl.MultiTask.Transfer;

/// <summary>
/// The representations a frozen encoder gives every sample of a dataset, computed once (eval mode, no gradient, in
/// order), with the source's labels and masks. Training new heads on it costs no trunk pass per epoch — the "proxy
/// layer" recipe at its cheapest: <c>EncodedDataset.Create(model.Encoder, train)</c>, then a
/// <c>HardSharing(new Identity(), width, tasks)</c> trained on it, whose <c>heads.*</c> load straight back into the full
/// model (<see cref="Mtl.NN.Transfer.WeightTransfer"/>). Valid only while the encoder stays frozen and the source's
/// inputs do not change between epochs (no random augmentation).
/// </summary>
public sealed class EncodedDataset : IMultiTaskDataset
{
    private readonly float[] _features;   // Count × Width, sample-major
    private readonly int _width;

    private EncodedDataset(IMultiTaskDataset source, float[] features, int width)
    {
        Source = source;
        _features = features;
        _width = width;
        Input = new InputInfo([width], DType.Float32);
    }

    /// <summary>Runs <paramref name="encoder"/> over every sample of <paramref name="source"/> once.</summary>
    /// <exception cref="ArgumentException">The encoder's output is not (B, D).</exception>
    public static EncodedDataset Create(Module<Tensor, Tensor> encoder, IMultiTaskDataset source, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(source);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "EncodedDataset: batch size must be positive");
        bool wasTraining = encoder.Training;
        encoder.Eval();
        SampleRows features;
        try
        {
            features = SampleRows.Collect(source, batchSize, ["EncodedDataset: the encoder"], x =>
            {
                var h = encoder.Forward(x);   // (B, D)
                if (h.Rank != 2 || h.Shape[0] != x.Shape[0])
                    throw new ArgumentException($"EncodedDataset: the encoder gave {h.ShapeString} for a batch of {x.Shape[0]}; expected (B, D)");
                return [h];
            })[0];
        }
        finally { encoder.Train(wasTraining); }
        return new EncodedDataset(source, features.Rows, features.Width);
    }

    /// <summary>The dataset whose samples were encoded (labels come from it).</summary>
    public IMultiTaskDataset Source { get; }

    /// <summary>Width D of each representation.</summary>
    public int Width => _width;

    public int Count => Source.Count;
    public InputInfo Input { get; }
    public IReadOnlyList<TaskLabels> Tasks => Source.Tasks;

    public int ReadInput(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"EncodedDataset: sample {index} of {Count}");
        _features.AsSpan(index * _width, _width).CopyTo(destination);
        return _width;
    }

    public int ReadTokens(int index, Span<int> destination) =>
        throw new NotSupportedException("EncodedDataset: inputs are Float32 representations, not token ids");

    public bool ReadLabel(int index, int task, Span<float> destination) => Source.ReadLabel(index, task, destination);
}
