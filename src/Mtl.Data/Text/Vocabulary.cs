// A token vocabulary with reserved <pad>=0 and <unk>=1, built from training texts by frequency; saved and loaded as JSON.
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mtl.Data;

/// <summary>
/// Maps tokens to ids: <c>&lt;pad&gt;</c> = 0, <c>&lt;unk&gt;</c> = 1 (every out-of-vocabulary token), then the kept
/// tokens from the most to the least frequent, ties broken by ordinal string order, so the same texts always give the
/// same ids. Immutable and thread-safe.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>Id of the padding token.</summary>
    public const int PadId = 0;
    /// <summary>Id of the unknown token.</summary>
    public const int UnkId = 1;
    /// <summary>The padding token.</summary>
    public const string PadToken = "<pad>";
    /// <summary>The unknown token.</summary>
    public const string UnkToken = "<unk>";
    /// <summary>The format identifier of saved vocabularies.</summary>
    public const string JsonFormat = "mtl-vocabulary/1";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) _ids[tokens[i]] = i;
    }

    /// <summary>
    /// Counts the tokens of <paramref name="texts"/> (already tokenized, e.g. with <see cref="Tokenizer"/>) and keeps
    /// those seen at least <paramref name="minFrequency"/> times; with <paramref name="maxSize"/> (which counts the two
    /// reserved tokens) only the most frequent are kept. Occurrences of the reserved tokens themselves are ignored.
    /// </summary>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> texts, int minFrequency = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (minFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minFrequency), $"vocabulary: minFrequency must be >= 1, got {minFrequency}");
        if (maxSize is < 2) throw new ArgumentOutOfRangeException(nameof(maxSize), $"vocabulary: maxSize must be >= 2 (it counts {PadToken} and {UnkToken}), got {maxSize}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var token in text)
            {
                if (token is PadToken or UnkToken) continue;
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        var kept = counts.Where(kv => kv.Value >= minFrequency)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        if (maxSize is { } max) kept = kept.Take(max - 2);
        return new Vocabulary([PadToken, UnkToken, .. kept]);
    }

    /// <summary>A vocabulary of exactly <paramref name="tokens"/> (ids 2, 3, ... in order) after the reserved tokens.</summary>
    public static Vocabulary FromTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var list = new List<string> { PadToken, UnkToken };
        var seen = new HashSet<string>(list, StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (t is null) throw new ArgumentException("vocabulary: a token is null");
            if (!seen.Add(t)) throw new ArgumentException($"vocabulary: token '{t}' is listed twice or is reserved");
            list.Add(t);
        }
        return new Vocabulary([.. list]);
    }

    /// <summary>Number of tokens, reserved ones included.</summary>
    public int Count => _tokens.Length;

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnkId"/> when it is not in the vocabulary.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : UnkId;

    /// <summary>Whether <paramref name="token"/> has its own id.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The token with id <paramref name="id"/>.</summary>
    public string TokenOf(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"vocabulary: id {id} out of range [0, {_tokens.Length})");

    /// <summary>The ids of <paramref name="tokens"/> (unknown tokens → <see cref="UnkId"/>).</summary>
    public int[] Encode(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = IdOf(tokens[i]);
        return ids;
    }

    /// <summary>The vocabulary as JSON: <c>{"format": "mtl-vocabulary/1", "tokens": [...]}</c> in id order.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object> { ["format"] = JsonFormat, ["tokens"] = _tokens },
        new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (via a temp file).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        File.WriteAllText(temp, ToJson(), StrictUtf8.Encoding);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a vocabulary saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is not a valid saved vocabulary.</exception>
    public static Vocabulary Load(string path) => FromJson(StrictUtf8.ReadAllText(path, "vocabulary"), path);

    /// <summary>Parses <see cref="ToJson"/>'s output; <paramref name="sourceName"/> names it in errors.</summary>
    public static Vocabulary FromJson(string json, string sourceName = "vocabulary JSON")
    {
        DataFileException Bad(string problem, Exception? inner = null) => new(sourceName, null, null, problem, inner);
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement; }
        catch (JsonException e) { throw Bad($"not valid JSON ({e.Message}); expected a saved vocabulary", e); }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
            || format.GetString() != JsonFormat)
            throw Bad($"expected an object with \"format\": \"{JsonFormat}\"");
        if (!root.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
            throw Bad("expected a \"tokens\" array");
        var list = new List<string>();
        foreach (var t in tokens.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.String) throw Bad($"token {list.Count} is {t.ValueKind}, expected a string");
            list.Add(t.GetString()!);
        }
        if (list.Count < 2 || list[PadId] != PadToken || list[UnkId] != UnkToken)
            throw Bad($"expected the tokens to start with \"{PadToken}\", \"{UnkToken}\"");
        try { return FromTokens(list.Skip(2)); }
        catch (ArgumentException e) { throw Bad(e.Message, e); }
    }
}
