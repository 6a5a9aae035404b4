// One task's labels for every sample of an in-memory dataset: class indices or float vectors, plus a presence mask.
namespace Mtl.Data;

/// <summary>
/// The labels of one task for all N samples, stored column-wise: class indices (N, or N × Width for per-position
/// labels) or float vectors (N × Width), and an optional presence mask (null = every sample has a label). Built by
/// <see cref="Classes"/>, <see cref="Vectors"/> or <see cref="PerPosition"/>, which validate the values.
/// </summary>
public sealed class LabelColumn
{
    /// <summary>Ignored position label for <see cref="LabelKind.ClassPerPosition"/> (PyTorch's ignore_index default).</summary>
    public const int IgnoreIndex = -100;

    private LabelColumn(TaskLabels info, int count, int[]? classes, float[]? values, bool[]? present)
    {
        Info = info;
        Count = count;
        ClassValues = classes;
        FloatValues = values;
        Present = present;
    }

    /// <summary>The task description (name, kind, classes, width).</summary>
    public TaskLabels Info { get; }

    /// <summary>Task name.</summary>
    public string Name => Info.Name;

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Class indices (ClassIndex: N; ClassPerPosition: N × Width), or null for float vectors.</summary>
    public int[]? ClassValues { get; }

    /// <summary>Float vectors (N × Width), or null for class labels.</summary>
    public float[]? FloatValues { get; }

    /// <summary>Per-sample presence (true = labelled), or null when every sample is labelled.</summary>
    public bool[]? Present { get; }

    /// <summary>Whether sample <paramref name="index"/> has a label for this task.</summary>
    public bool Has(int index) => Present is null || Present[index];

    /// <summary>
    /// Class-index labels. Every present label must lie in [0, <paramref name="numClasses"/>); absent ones
    /// (<paramref name="present"/>[i] false) are not checked.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A present label is outside [0, numClasses): the message names the task, sample, value and NumClasses.</exception>
    public static LabelColumn Classes(string name, int numClasses, int[] labels, bool[]? present = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckCommon(name, labels.Length, present);
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"task '{name}': NumClasses must be positive");
        CheckClassNames(name, numClasses, classNames);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((present is null || present[i]) && (uint)labels[i] >= (uint)numClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i],
                    $"task '{name}': sample {i} has label {labels[i]}, outside [0, {numClasses}) (NumClasses = {numClasses})");
        }
        return new LabelColumn(new TaskLabels(name, LabelKind.ClassIndex, numClasses, 1, classNames), labels.Length, labels, null, present);
    }

    /// <summary>Float-vector labels: <paramref name="values"/> holds N × <paramref name="width"/> floats, row-major.</summary>
    public static LabelColumn Vectors(string name, int width, float[] values, bool[]? present = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"task '{name}': Width must be positive");
        if (values.Length % width != 0)
            throw new ArgumentException($"task '{name}': {values.Length} values are not a whole number of {width}-wide vectors", nameof(values));
        int n = values.Length / width;
        CheckCommon(name, n, present);
        return new LabelColumn(new TaskLabels(name, LabelKind.FloatVector, 0, width), n, null, values, present);
    }

    /// <summary>
    /// One class per sequence position: <paramref name="labels"/> holds N × <paramref name="maxLength"/> indices in
    /// [0, numClasses) or <see cref="IgnoreIndex"/> (padding / unlabelled positions).
    /// </summary>
    public static LabelColumn PerPosition(string name, int numClasses, int maxLength, int[] labels, bool[]? present = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"task '{name}': NumClasses must be positive");
        if (maxLength <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"task '{name}': maxLength must be positive");
        if (labels.Length % maxLength != 0)
            throw new ArgumentException($"task '{name}': {labels.Length} labels are not a whole number of {maxLength}-position rows", nameof(labels));
        int n = labels.Length / maxLength;
        CheckCommon(name, n, present);
        CheckClassNames(name, numClasses, classNames);
        for (int i = 0; i < labels.Length; i++)
        {
            int v = labels[i];
            if ((present is null || present[i / maxLength]) && v != IgnoreIndex && (uint)v >= (uint)numClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), v,
                    $"task '{name}': sample {i / maxLength} position {i % maxLength} has label {v}, outside [0, {numClasses}) (NumClasses = {numClasses}; {IgnoreIndex} = ignored)");
        }
        return new LabelColumn(new TaskLabels(name, LabelKind.ClassPerPosition, numClasses, maxLength, classNames), n, labels, null, present);
    }

    /// <summary>Writes sample <paramref name="index"/>'s label as floats (see <see cref="IMultiTaskDataset.ReadLabel"/>).</summary>
    internal bool Read(int index, Span<float> destination)
    {
        if (!Has(index)) return false;
        int w = Info.Width;
        if (destination.Length < w)
            throw new ArgumentException($"task '{Name}': destination holds {destination.Length} values, the label has {w}");
        if (FloatValues is not null) FloatValues.AsSpan(index * w, w).CopyTo(destination);
        else
        {
            var src = ClassValues!.AsSpan(index * w, w);
            for (int i = 0; i < w; i++) destination[i] = src[i];
        }
        return true;
    }

    /// <summary>This column restricted to <paramref name="indices"/> (copies).</summary>
    internal LabelColumn Take(ReadOnlySpan<int> indices)
    {
        int w = Info.Width;
        bool[]? present = Present is null ? null : new bool[indices.Length];
        int[]? cls = ClassValues is null ? null : new int[indices.Length * w];
        float[]? val = FloatValues is null ? null : new float[indices.Length * w];
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            if (present is not null) present[i] = Present![j];
            if (cls is not null) ClassValues.AsSpan(j * w, w).CopyTo(cls.AsSpan(i * w, w));
            if (val is not null) FloatValues.AsSpan(j * w, w).CopyTo(val.AsSpan(i * w, w));
        }
        return new LabelColumn(Info, indices.Length, cls, val, present);
    }

    private static void CheckCommon(string name, int n, bool[]? present)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("a task needs a non-empty name", nameof(name));
        if (present is not null && present.Length != n)
            throw new ArgumentException($"task '{name}': presence mask has {present.Length} entries for {n} samples", nameof(present));
    }

    private static void CheckClassNames(string name, int numClasses, IReadOnlyList<string>? classNames)
    {
        if (classNames is not null && classNames.Count != numClasses)
            throw new ArgumentException($"task '{name}': {classNames.Count} class names for {numClasses} classes", nameof(classNames));
    }
}
