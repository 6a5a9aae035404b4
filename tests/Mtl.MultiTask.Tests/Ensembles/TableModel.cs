// A fake multi-task model for ensemble tests: each task's output for sample i is row i of a fixed table (+ a zero bias).
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Tests.Ensembles;

/// <summary>
/// Input (B, 1) holds sample indices; the output of task t for index i is <c>tables[t][i]</c> (a row of width
/// OutputSize) plus a trainable bias that starts at 0 (so a trainer has a parameter to step).
/// </summary>
internal sealed class TableModel : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;
    private readonly Dictionary<string, double[][]> _tables;
    private readonly Dictionary<string, Tensor> _bias = new(StringComparer.Ordinal);

    public TableModel(IReadOnlyList<TaskSpec> tasks, IReadOnlyDictionary<string, double[][]> tables)
    {
        _tasks = tasks.ToArray();
        _tables = new Dictionary<string, double[][]>(tables, StringComparer.Ordinal);
        foreach (var t in _tasks) _bias[t.Name] = RegisterParameter("bias_" + t.Name, Tensor.Zeros([t.OutputSize]))!;
    }

    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    public int Calls { get; private set; }

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
    {
        Calls++;
        var index = input.ToDoubleArray().Select(v => (int)v).ToArray();
        return _tasks.ToDictionary(t => t.Name, t =>
        {
            var rows = index.SelectMany(i => _tables[t.Name][i].Select(v => (float)v)).ToArray();
            return Tensor.From(rows, index.Length, t.OutputSize).Add(_bias[t.Name]);   // (B, K)
        }, StringComparer.Ordinal);
    }

    /// <summary>A model giving the same rows for every input (table of one row, index ignored).</summary>
    public static TableModel Constant(IReadOnlyList<TaskSpec> tasks, IReadOnlyDictionary<string, double[]> rows, int samples) =>
        new(tasks, rows.ToDictionary(kv => kv.Key, kv => Enumerable.Repeat(kv.Value, samples).ToArray()));

    /// <summary>A loader over sample indices 0..n−1 with the given label columns.</summary>
    public static DataLoader Loader(int n, params LabelColumn[] labels) =>
        new(new InMemoryDataset([1], Enumerable.Range(0, n).Select(i => (float)i).ToArray(), labels), new DataLoaderOptions { BatchSize = 64 });

    /// <summary>The input of all n samples, (n, 1).</summary>
    public static Tensor Indices(int n) => Tensor.From(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1);
}
