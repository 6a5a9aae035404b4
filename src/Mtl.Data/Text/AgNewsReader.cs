// Reads the AG News topic-classification CSV layout: "class index (1-4)","title","description", no header.
using System.Globalization;

namespace Mtl.Data;

/// <summary>Options of <see cref="AgNewsReader"/>.</summary>
public sealed record AgNewsOptions
{
    /// <summary>Name of the topic task.</summary>
    public string TaskName { get; init; } = "topic";

    /// <summary>Class names; the file's class index k (1-based) is class k − 1. Defaults to AG News' four topics.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = AgNewsReader.DefaultClassNames;
}

/// <summary>
/// Reads AG News' <c>train.csv</c>/<c>test.csv</c> (Zhang et al. 2015, <c>ag_news_csv.tar.gz</c>): one record per
/// article, three quoted fields — class index (1..4), title, description — and no header. The text is
/// <c>title + " " + description</c>; the label is class index − 1 over <see cref="DefaultClassNames"/>. Records come in
/// file order. The real corpus is not downloadable here; the repository's <c>data/text/ag_news_csv</c> holds a small
/// synthetic stand-in in the same format.
/// </summary>
public static class AgNewsReader
{
    /// <summary>AG News' topics in class-index order: World, Sports, Business, Sci/Tech.</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } = ["World", "Sports", "Business", "Sci/Tech"];

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is empty or not valid UTF-8, a record does not have 3 fields, a
    /// class index is not an integer in 1..classes, a quoted field is not closed, or an article has no text — the
    /// message names the file, the line and the value.</exception>
    public static TextCorpus Read(string path, AgNewsOptions? options = null)
    {
        options ??= new AgNewsOptions();
        int classes = options.ClassNames.Count;
        if (classes < 2) throw new ArgumentException($"ag news: expected at least 2 class names, got {classes}");
        var corpus = new TextCorpus([new TaskLabels(options.TaskName, LabelKind.ClassIndex, classes, 1, [.. options.ClassNames])]);
        using var reader = CsvReader.Open(path);
        while (reader.ReadRecord() is { } fields)
        {
            if (fields.Length != 3)
                throw new DataFileException(path, reader.RecordLine, null,
                    $"got {fields.Length} field{(fields.Length == 1 ? "" : "s")}, expected 3 (\"class index\",\"title\",\"description\")");
            if (!int.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1 || k > classes)
                throw new DataFileException(path, reader.RecordLine, "class index",
                    $"got {DataFileException.Quote(fields[0])}, expected an integer from 1 to {classes} ({string.Join(", ", options.ClassNames.Select((c, i) => $"{i + 1}={c}"))})");
            string text = (fields[1].Trim() + " " + fields[2].Trim()).Trim();
            if (text.Length == 0)
                throw new DataFileException(path, reader.RecordLine, null, "the title and description are both empty; expected an article's text");
            corpus.Add(text, path, reader.RecordLine, k - 1);
        }
        if (corpus.Count == 0)
            throw new DataFileException(path, null, null, "the file is empty; expected one \"class index\",\"title\",\"description\" record per line");
        return corpus;
    }
}
