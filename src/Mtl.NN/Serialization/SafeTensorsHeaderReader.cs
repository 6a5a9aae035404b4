// Parses and validates an untrusted safetensors JSON header into tensor entries ordered by their data offsets.
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mtl.NN.Serialization;

/// <summary>One tensor of a header: dtype, shape and its byte range in the data buffer.</summary>
internal sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, int[] Shape, int Numel, long Begin, long End);

/// <summary>A validated header: tensors in data-offset order, metadata in header order, and the data size they cover.</summary>
internal sealed record SafeTensorsHeader(List<SafeTensorsEntry> Entries, List<KeyValuePair<string, string>> Metadata, long DataLength);

/// <summary>
/// Reads the JSON header with the rules of the reference library (serde_json) or stricter ones: the header starts with
/// '{', is valid UTF-8 and JSON, may be padded with spaces only, has no duplicate keys (the spec forbids them), every
/// entry has exactly <c>dtype</c> (a known name), <c>shape</c> (non-negative integers) and <c>data_offsets</c> (two
/// non-negative integers, begin ≤ end) and no other field; sorted by offsets the tensors tile the data buffer from 0
/// without gaps or overlaps, each spanning exactly numel × itemsize bytes. Mtl's own limits come last: every dimension
/// and the element count fit in int32 and the dtype is one Mtl reads.
/// </summary>
internal static class SafeTensorsHeaderReader
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Parses <paramref name="header"/>; <paramref name="source"/> names the file in error messages.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> header, string source)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
            throw Fail(source, header.Length == 0 ? "header is empty" : $"header does not start with '{{' (first byte 0x{header[0]:X2})");
        if (!Utf8.IsValid(header)) throw Fail(source, "header is not valid UTF-8");
        var entries = new List<SafeTensorsEntry>();
        var metadata = new List<KeyValuePair<string, string>>();
        try
        {
            var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
            ReadRoot(ref reader, entries, metadata, source);
            var rest = header[(int)reader.BytesConsumed..];
            int junk = rest.IndexOfAnyExcept((byte)' ');
            if (junk >= 0) throw Fail(source, $"header has non-space bytes after the JSON object (at header byte {reader.BytesConsumed + junk}); only ' ' padding is allowed");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Fail(source, "header is not valid JSON: " + e.Message, e);
        }
        return Validate(entries, metadata, source);
    }

    internal static SafeTensorsFormatException Fail(string source, string message, Exception? inner = null) =>
        new($"safetensors {source}: {message}", inner);

    private static void ReadRoot(ref Utf8JsonReader r, List<SafeTensorsEntry> entries, List<KeyValuePair<string, string>> metadata, string source)
    {
        r.Read(); // StartObject: the first byte was checked to be '{'
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!r.Read()) throw Fail(source, "header JSON ends inside the top-level object");
            if (r.TokenType == JsonTokenType.EndObject) return;
            string key = r.GetString()!; // the reader guarantees a PropertyName here
            if (!seen.Add(key)) throw Fail(source, $"duplicate key '{Shorten(key)}' in header");
            r.Read();
            if (key == MetadataKey)
                ReadMetadata(ref r, metadata, source);
            else entries.Add(ReadEntry(ref r, key, source));
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader r, List<KeyValuePair<string, string>> metadata, string source)
    {
        if (r.TokenType == JsonTokenType.Null) return; // the library treats null as "no metadata"
        if (r.TokenType != JsonTokenType.StartObject)
            throw Fail(source, $"'__metadata__' must be an object of strings, found {Describe(r.TokenType)}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string key = r.GetString()!;
            if (!seen.Add(key)) throw Fail(source, $"duplicate key '{Shorten(key)}' in '__metadata__'");
            r.Read();
            if (r.TokenType != JsonTokenType.String)
                throw Fail(source, $"'__metadata__' value of '{Shorten(key)}' must be a string, found {Describe(r.TokenType)}");
            metadata.Add(new(key, r.GetString()!));
        }
    }

    private static SafeTensorsEntry ReadEntry(ref Utf8JsonReader r, string name, string source)
    {
        string where = $"tensor '{Shorten(name)}'";
        if (r.TokenType != JsonTokenType.StartObject)
            throw Fail(source, $"{where}: entry must be an object, found {Describe(r.TokenType)}");
        string? dtypeName = null;
        List<ulong>? shape = null, offsets = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string field = r.GetString()!;
            r.Read();
            switch (field)
            {
                case "dtype":
                    if (dtypeName is not null) throw Fail(source, $"{where}: duplicate field 'dtype'");
                    if (r.TokenType != JsonTokenType.String) throw Fail(source, $"{where}: 'dtype' must be a string, found {Describe(r.TokenType)}");
                    dtypeName = r.GetString()!;
                    break;
                case "shape":
                    if (shape is not null) throw Fail(source, $"{where}: duplicate field 'shape'");
                    shape = ReadUIntArray(ref r, where, "shape", source);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Fail(source, $"{where}: duplicate field 'data_offsets'");
                    offsets = ReadUIntArray(ref r, where, "data_offsets", source);
                    if (offsets.Count != 2) throw Fail(source, $"{where}: 'data_offsets' must hold 2 integers [begin, end], found {offsets.Count}");
                    break;
                default:
                    throw Fail(source, $"{where}: unknown field '{Shorten(field)}' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtypeName is null) throw Fail(source, $"{where}: missing 'dtype'");
        if (shape is null) throw Fail(source, $"{where}: missing 'shape'");
        if (offsets is null) throw Fail(source, $"{where}: missing 'data_offsets'");
        if (!SafeTensorsDTypes.TryParse(dtypeName, out var dtype)) throw Fail(source, $"{where}: unknown dtype '{Shorten(dtypeName)}'");

        // Mtl shapes and strides are int32: every dimension, and the product of the non-zero ones, must fit.
        var dims = new int[shape.Count];
        long extent = 1;
        bool hasZero = false;
        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] > int.MaxValue)
                throw Fail(source, $"{where}: dimension {i} is {shape[i]}; Mtl tensors allow at most 2^31-1 per dimension");
            dims[i] = (int)shape[i];
            if (dims[i] == 0) hasZero = true;
            else extent *= dims[i];
            if (extent > int.MaxValue)
                throw Fail(source, hasZero
                    ? $"{where}: shape {FormatShape(shape)} is too large: its non-zero dimensions multiply to more than 2^31-1"
                    : $"{where}: shape {FormatShape(shape)} has more than 2^31-1 elements");
        }
        long numel = hasZero ? 0 : extent;
        if (offsets[0] > long.MaxValue || offsets[1] > long.MaxValue)
            throw Fail(source, $"{where}: data_offsets [{offsets[0]}, {offsets[1]}] are beyond any file size");
        long begin = (long)offsets[0], end = (long)offsets[1];
        if (end < begin) throw Fail(source, $"{where}: data_offsets [{begin}, {end}] end before they begin");
        long bits = numel * dtype.BitSize();
        if (bits % 8 != 0)
            throw Fail(source, $"{where}: shape {FormatShape(shape)} {dtype} is {bits} bits, not a whole number of bytes");
        if (end - begin != bits / 8)
            throw Fail(source, $"{where}: data_offsets [{begin}, {end}] span {end - begin} bytes but shape {FormatShape(shape)} {dtype} needs {bits / 8}");
        return new SafeTensorsEntry(name, dtype, dims, (int)numel, begin, end);
    }

    private static List<ulong> ReadUIntArray(ref Utf8JsonReader r, string where, string field, string source)
    {
        if (r.TokenType != JsonTokenType.StartArray)
            throw Fail(source, $"{where}: '{field}' must be an array of integers, found {Describe(r.TokenType)}");
        var values = new List<ulong>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.Number)
                throw Fail(source, $"{where}: '{field}' must hold integers, found {Describe(r.TokenType)}");
            if (r.ValueSpan[0] == (byte)'-' || !r.TryGetUInt64(out ulong v))
                throw Fail(source, $"{where}: '{field}' entry {Shorten(Encoding.UTF8.GetString(r.ValueSpan))} is not a non-negative 64-bit integer");
            values.Add(v);
        }
        return values;
    }

    // Library rules on the whole table, then Mtl's: offsets tile [0, end) exactly; dtypes are ones Mtl can load.
    private static SafeTensorsHeader Validate(List<SafeTensorsEntry> entries, List<KeyValuePair<string, string>> metadata, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList(); // stable: ties keep header order
        long pos = 0;
        SafeTensorsEntry? prev = null;
        foreach (var e in sorted)
        {
            if (e.Begin < pos)
                throw Fail(source, $"tensor '{Shorten(e.Name)}': data_offsets [{e.Begin}, {e.End}] overlap tensor '{Shorten(prev!.Name)}' [{prev.Begin}, {prev.End}]");
            if (e.Begin > pos)
                throw Fail(source, $"tensor '{Shorten(e.Name)}': data_offsets [{e.Begin}, {e.End}] leave a gap of {e.Begin - pos} bytes after offset {pos}; the data buffer must be fully covered");
            pos = e.End;
            prev = e;
        }
        foreach (var e in sorted)
            if (e.DType.LoadsAs() is null)
                throw Fail(source, $"tensor '{Shorten(e.Name)}': dtype {e.DType} is valid safetensors but Mtl cannot load it (supported: F32, F64, F16, BF16, I32, I64, U8, I8, BOOL)");
        return new SafeTensorsHeader(sorted, metadata, pos);
    }

    /// <summary>A name cut to a readable length for error messages.</summary>
    internal static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";

    private static string FormatShape(List<ulong> shape) => "(" + string.Join(", ", shape) + (shape.Count == 1 ? ",)" : ")");

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };
}
