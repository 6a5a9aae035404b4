// Reads predict inputs: CSV rows of flattened images/features, or one raw text per line for text runs.
using System.Globalization;
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Data;

namespace Mtl.Cli.Runs;

/// <summary>
/// The input format of <c>mtl predict</c>, one sample per line (blank lines and lines starting with <c>#</c> are
/// skipped): for image and feature data, the sample's values separated by commas (or spaces) in row-major order —
/// 784 pixel values in [0, 1] for a 28×28 image, <c>dim</c> numbers for synthetic features; for text data, the raw
/// text, tokenized and encoded with the run's vocabulary.
/// </summary>
internal static class PredictInput
{
    /// <summary>The sample lines of <paramref name="path"/> (<c>-</c> = standard input) with their 1-based line numbers.</summary>
    public static List<(int Line, string Text)> Read(string path, TextReader? stdin = null)
    {
        if (path != "-" && !File.Exists(path)) throw new ConfigException(null, $"input file not found: {path}");
        var lines = path == "-" ? ReadAll(stdin ?? Console.In) : File.ReadAllLines(path);
        var rows = new List<(int, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length > 0 && !text.StartsWith('#')) rows.Add((i + 1, text));
        }
        return rows;
    }

    /// <summary>One batch (B, ...input shape) of the run's input dtype from <paramref name="rows"/>.</summary>
    public static Tensor Batch(DataBundle data, IReadOnlyList<(int Line, string Text)> rows, string path)
    {
        var shape = data.Input.Shape;
        int size = shape.Aggregate(1, (a, b) => a * b);
        if (data.Input.DType == DType.Int32)
        {
            var tokenizer = data.Tokenizer!;
            var vocab = data.Vocabulary!;
            int length = shape[0];
            var ids = new int[rows.Count * length];
            for (int r = 0; r < rows.Count; r++)
            {
                var tokens = tokenizer.Tokenize(rows[r].Text);
                if (tokens.Count == 0) throw new ConfigException($"{path}:{rows[r].Line}", "the text has no tokens");
                SequencePadding.PadOrTruncate(vocab.Encode(tokens), ids.AsSpan(r * length, length), TruncationSide.KeepStart);
            }
            return Tensor.From(ids, [rows.Count, .. shape]);                                       // (B, L)
        }
        var values = new float[rows.Count * size];
        for (int r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Text.Split([',', ' ', '\t', ';'], StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length != size)
                throw new ConfigException($"{path}:{rows[r].Line}", $"expected {size} values (one sample of shape ({string.Join(", ", shape)})), got {cells.Length}");
            for (int j = 0; j < size; j++)
                if (!float.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out values[r * size + j]))
                    throw new ConfigException($"{path}:{rows[r].Line}", $"value {j + 1} is not a number: '{cells[j]}'");
        }
        return Tensor.From(values, [rows.Count, .. shape]);                                         // (B, ...shape)
    }

    private static string[] ReadAll(TextReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return [.. lines];
    }
}
