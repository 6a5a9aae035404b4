// A K×K matrix of inter-task affinities Z_{i→j}, indexed by task position or name.
using System.Globalization;
using System.Text;

namespace Mtl.MultiTask.Diagnostics;

/// <summary>
/// Inter-task affinities: row i, column j holds Z_{i→j}, the effect of a step on task i's loss on task j's loss
/// (positive: i helps j). NaN where the pair was never measured. Immutable.
/// </summary>
public sealed class AffinityMatrix
{
    private readonly double[,] _values;
    private readonly Dictionary<string, int> _index;

    /// <summary>A matrix over <paramref name="tasks"/> (unique names); <paramref name="values"/> is K×K and copied.</summary>
    public AffinityMatrix(IReadOnlyList<string> tasks, double[,] values)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(values);
        int k = tasks.Count;
        if (values.GetLength(0) != k || values.GetLength(1) != k)
            throw new ArgumentException($"AffinityMatrix: {k} tasks need a {k}×{k} matrix, got {values.GetLength(0)}×{values.GetLength(1)}");
        _index = new Dictionary<string, int>(k, StringComparer.Ordinal);
        for (int i = 0; i < k; i++)
            if (!_index.TryAdd(tasks[i], i)) throw new ArgumentException($"AffinityMatrix: task '{tasks[i]}' appears twice");
        Tasks = tasks.ToArray();
        _values = (double[,])values.Clone();
    }

    /// <summary>The tasks, in row (and column) order.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>K.</summary>
    public int Count => Tasks.Count;

    /// <summary>Z_{from→onto}.</summary>
    public double this[int from, int onto] => _values[from, onto];

    /// <summary>Z_{from→onto} by task name.</summary>
    public double this[string from, string onto] => _values[IndexOf(from), IndexOf(onto)];

    /// <summary>The position of <paramref name="task"/>; the error lists the tasks.</summary>
    public int IndexOf(string task) => _index.TryGetValue(task, out int i) ? i
        : throw new KeyNotFoundException($"AffinityMatrix: no task '{task}' (tasks: {string.Join(", ", Tasks)})");

    /// <summary>A copy of the values.</summary>
    public double[,] ToArray() => (double[,])_values.Clone();

    /// <summary>from → onto → Z, as the metrics log writes it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ToDictionary()
    {
        var rows = new Dictionary<string, IReadOnlyDictionary<string, double>>(Count, StringComparer.Ordinal);
        for (int i = 0; i < Count; i++)
        {
            var row = new Dictionary<string, double>(Count, StringComparer.Ordinal);
            for (int j = 0; j < Count; j++) row[Tasks[j]] = _values[i, j];
            rows[Tasks[i]] = row;
        }
        return rows;
    }

    /// <summary>A table: one row per source task i, one column per target task j.</summary>
    public override string ToString()
    {
        int w = Math.Max(8, Tasks.Max(t => t.Length) + 1);
        var sb = new StringBuilder();
        sb.Append("from \\ onto".PadRight(w));
        foreach (var t in Tasks) sb.Append(t.PadLeft(w));
        for (int i = 0; i < Count; i++)
        {
            sb.AppendLine().Append(Tasks[i].PadRight(w));
            for (int j = 0; j < Count; j++)
                sb.Append((double.IsNaN(_values[i, j]) ? "-" : _values[i, j].ToString("F4", CultureInfo.InvariantCulture)).PadLeft(w));
        }
        return sb.ToString();
    }
}
