// The data contracts every dataset, builder and loader shares: sample inputs, per-task labels with masks, batches.
namespace Mtl.Data;

/// <summary>How a task's label is stored for one sample.</summary>
public enum LabelKind
{
    /// <summary>One class index in [0, NumClasses) (classification).</summary>
    ClassIndex,
    /// <summary>A fixed-width float vector (regression targets, multi-label 0/1 indicators).</summary>
    FloatVector,
    /// <summary>One class index per sequence position (sequence labelling); padded positions are masked.</summary>
    ClassPerPosition,
}

/// <summary>Describes one task's labels in a dataset.</summary>
/// <param name="Name">Task name (unique within the dataset).</param>
/// <param name="Kind">How labels are stored.</param>
/// <param name="NumClasses">Number of classes for class labels; 0 otherwise.</param>
/// <param name="Width">Values per sample for float vectors; 1 for class indices.</param>
/// <param name="ClassNames">Optional human-readable class names.</param>
public sealed record TaskLabels(string Name, LabelKind Kind, int NumClasses, int Width = 1, IReadOnlyList<string>? ClassNames = null);

/// <summary>Describes the per-sample input.</summary>
/// <param name="Shape">Shape of one sample, e.g. (1, 28, 28) for images or (L) for token sequences (L = max length).</param>
/// <param name="DType">Float32 for features/pixels, Int32 for token ids.</param>
/// <param name="VariableLength">True when samples are sequences with their own length (padded to Shape[0]).</param>
public sealed record InputInfo(int[] Shape, DType DType, bool VariableLength = false);

/// <summary>
/// A multi-task dataset of <see cref="Count"/> samples: one input per sample and a label per task, any of which may be
/// missing (its mask is 0). Implementations must be safe to read from several threads at once.
/// </summary>
public interface IMultiTaskDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>The input layout.</summary>
    InputInfo Input { get; }

    /// <summary>The tasks whose labels this dataset carries, in a fixed order.</summary>
    IReadOnlyList<TaskLabels> Tasks { get; }

    /// <summary>Copies sample <paramref name="index"/>'s input (Float32 inputs); returns its length (Shape[0] if fixed).</summary>
    int ReadInput(int index, Span<float> destination);

    /// <summary>Copies sample <paramref name="index"/>'s token ids (Int32 inputs); returns its length.</summary>
    int ReadTokens(int index, Span<int> destination);

    /// <summary>
    /// Writes task <paramref name="task"/>'s label of sample <paramref name="index"/> (a class index as a single value,
    /// or Width floats); returns false when the sample has no label for that task.
    /// </summary>
    bool ReadLabel(int index, int task, Span<float> destination);
}

/// <summary>
/// One collated batch: the inputs, a target and a 0/1 mask per task (0 = this sample has no label for the task), the
/// sequence lengths for variable-length inputs, and which dataset samples it holds.
/// </summary>
/// <param name="Input">(B, ...sample shape): Float32 features or Int32 token ids (padded with 0).</param>
/// <param name="Targets">Per task: Int32 (B) class indices, Float32 (B, Width) vectors, or Int32 (B, L) per position.</param>
/// <param name="Masks">Per task: Float32 (B) with 1 where the label exists.</param>
/// <param name="Lengths">Int32 (B) sequence lengths, or null for fixed-size inputs.</param>
/// <param name="Indices">Dataset indices of the samples, in batch order.</param>
public sealed record MultiTaskBatch(
    Tensor Input,
    IReadOnlyDictionary<string, Tensor> Targets,
    IReadOnlyDictionary<string, Tensor> Masks,
    Tensor? Lengths,
    int[] Indices)
{
    /// <summary>Number of samples.</summary>
    public int Size => Indices.Length;

    /// <summary>The dataset <see cref="Indices"/> refer to (set by the data loader; null for a batch made by hand).</summary>
    public IMultiTaskDataset? Dataset { get; init; }
}
