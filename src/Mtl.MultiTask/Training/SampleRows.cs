// One pass of a model over every sample of a dataset, in order and without gradients, its outputs kept per sample.
using Mtl.Data;
using Mtl.Storage;

namespace Mtl.MultiTask.Training;

/// <summary>
/// One output of a pass over a dataset: <see cref="Rows"/> holds sample i's values at [i·Width, (i + 1)·Width), and
/// <see cref="Shape"/> is one sample's shape (the output's shape without the batch axis).
/// </summary>
internal sealed record SampleRows(float[] Rows, int[] Shape)
{
    /// <summary>Values per sample.</summary>
    public int Width => Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>
    /// Runs <paramref name="forward"/> over every sample of <paramref name="dataset"/> once (batches of
    /// <paramref name="batchSize"/> in order, gradients off, each batch in its own tensor scope); it returns one (B, ...)
    /// tensor per entry of <paramref name="names"/>, which name the outputs in errors. The caller sets the model's mode.
    /// </summary>
    /// <exception cref="InvalidOperationException">An output's per-sample shape changes from one batch to another.</exception>
    public static SampleRows[] Collect(IMultiTaskDataset dataset, int batchSize, IReadOnlyList<string> names, Func<Tensor, IReadOnlyList<Tensor>> forward)
    {
        var rows = new float[names.Count][];
        var shapes = new int[names.Count][];
        using var noGrad = GradMode.NoGrad();
        using var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = batchSize, Prefetch = 0 });
        foreach (var batch in loader.Epoch(0))
        {
            using var scope = TensorScope.Begin();
            var outputs = forward(batch.Input);
            for (int k = 0; k < names.Count; k++)
            {
                var shape = outputs[k].ShapeArray[1..];
                int width = shape.Aggregate(1, (a, b) => a * b);
                if (shapes[k] is null)
                {
                    shapes[k] = shape;
                    rows[k] = new float[(long)dataset.Count * width];
                }
                else if (!shapes[k].AsSpan().SequenceEqual(shape))
                    throw new InvalidOperationException($"{names[k]} gave outputs of varying shape ({string.Join(", ", shapes[k])}) and ({string.Join(", ", shape)})");
                var values = outputs[k].ToArray<float>();   // (B, ...) → B·width
                for (int b = 0; b < batch.Size; b++) Array.Copy(values, (long)b * width, rows[k], (long)batch.Indices[b] * width, width);
            }
        }
        return Enumerable.Range(0, names.Count).Select(k => new SampleRows(rows[k] ?? [], shapes[k] ?? [])).ToArray();
    }
}
