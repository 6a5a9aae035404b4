// `mtl data show`: a dataset's input, tasks, split sizes and label distribution per task, as tables.
using System.Globalization;
using Mtl.Cli.Output;
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Writes what a built dataset holds, so a user can check it before training on it.</summary>
internal static class DatasetShow
{
    /// <summary>Writes the description of <paramref name="data"/> (dataset <paramref name="name"/>) to <paramref name="io"/>.</summary>
    public static void Write(CliIO io, string name, DataBundle data)
    {
        var w = io.Out;
        var splits = new List<(string Name, SplitData Split)> { ("train", data.Train) };
        if (data.Validation is { } v) splits.Add(("validation", v));
        splits.Add(("test", data.Test));

        w.WriteLine($"dataset: {name}{(data.Train.PerTask is null ? "" : " (multi-input: each task has its own samples)")}");
        w.WriteLine($"input: {Input(data)}");
        w.WriteLine();
        Tables.Write(io, ["task", "kind", "classes / width"], data.Tasks.Select(t => (IReadOnlyList<string>)[t.Name, Kind(t), Size(t)]).ToList(), "tasks");
        w.WriteLine();
        var stats = splits.Select(s => data.Tasks.Select(t => DatasetLabels.Stats(s.Split, t)).ToArray()).ToArray();
        Tables.Write(io, ["split", "samples", .. data.Tasks.Select(t => $"labelled {t.Name}")],
            splits.Select((s, i) => (IReadOnlyList<string>)[s.Name, Int(s.Split.Count), .. stats[i].Select(x => Int(x.Labelled))]).ToList(), "splits");
        for (int k = 0; k < data.Tasks.Count; k++)
        {
            var task = data.Tasks[k];
            w.WriteLine();
            string title = $"labels of {task.Name}";
            if (task.Kind == LabelKind.FloatVector)
            {
                Tables.Write(io, ["split", "mean", "min", "max"],
                    splits.Select((s, i) => (IReadOnlyList<string>)[s.Name, Tables.Num(stats[i][k].Mean), Tables.Num(stats[i][k].Min), Tables.Num(stats[i][k].Max)]).ToList(), title);
                continue;
            }
            var rows = Enumerable.Range(0, task.NumClasses).Select(c => (IReadOnlyList<string>)
                [DatasetLabels.ClassName(task, c), .. splits.Select((_, i) => Share(stats[i][k].ClassCounts![c], stats[i][k].ClassCounts!.Sum()))]).ToList();
            Tables.Write(io, ["class", .. splits.Select(s => s.Name)], rows, title);
        }
    }

    private static string Input(DataBundle data)
    {
        var i = data.Input;
        string shape = $"{i.DType} ({string.Join(", ", i.Shape)})";
        if (data.Vocabulary is { } vocab) return $"{shape} token ids{(i.VariableLength ? ", variable length" : "")}; vocabulary of {Int(vocab.Count)} tokens";
        if (i.DType == DType.Float32 && (i.Shape.Length == 2 || i.Shape is [1, _, _])) return $"{shape} grey image, {i.Shape[^2]}×{i.Shape[^1]} pixels in [0, 1]";
        return $"{shape} features";
    }

    private static string Kind(TaskLabels t) => t.Kind switch
    {
        LabelKind.ClassIndex => "classification",
        LabelKind.ClassPerPosition => "sequence labelling",
        _ => "regression",
    };

    private static string Size(TaskLabels t) => t.Kind == LabelKind.FloatVector ? $"{t.Width} value(s)" : $"{t.NumClasses} classes";

    private static string Int(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Share(long n, long total) =>
        total == 0 ? "0" : $"{Int(n)} ({(100.0 * n / total).ToString("0.0", CultureInfo.InvariantCulture)}%)";
}
