// A simple word tokenizer: lower-casing, HTML tag and entity removal, splitting on white space and punctuation.
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Mtl.Data;

/// <summary>Options of a <see cref="Tokenizer"/>.</summary>
public sealed record TokenizerOptions
{
    /// <summary>Lower-case the text first (invariant culture, full Unicode: "ÉTÉ" → "été").</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Keep punctuation and symbol characters as one-character tokens (true) or drop them (false).</summary>
    public bool KeepPunctuation { get; init; } = true;

    /// <summary>
    /// Decode HTML entities (<c>&amp;amp;</c>, <c>&amp;#39;</c>, ...) and replace tags such as <c>&lt;br /&gt;</c>,
    /// <c>&lt;i&gt;</c>, <c>&lt;/p&gt;</c> with a space (IMDB reviews contain <c>&lt;br /&gt;&lt;br /&gt;</c>).
    /// </summary>
    public bool StripHtml { get; init; } = true;
}

/// <summary>
/// Splits text into word and punctuation tokens:
/// <list type="bullet">
/// <item>a word is a run of letters, digits and combining marks (any script), and may contain an apostrophe
/// (' or ’) between two word characters, so "don't" and "l'été" stay one token;</item>
/// <item>every other non-space character (punctuation, symbols, emoji) is a token of its own, or is dropped when
/// <see cref="TokenizerOptions.KeepPunctuation"/> is false: "wow!!" → "wow", "!", "!";</item>
/// <item>white space and control characters separate tokens and are never tokens.</item>
/// </list>
/// Stateless and thread-safe.
/// </summary>
public sealed partial class Tokenizer
{
    /// <summary>Creates a tokenizer; default options lower-case, keep punctuation and strip HTML.</summary>
    public Tokenizer(TokenizerOptions? options = null) => Options = options ?? new TokenizerOptions();

    /// <summary>The options in use.</summary>
    public TokenizerOptions Options { get; }

    // A tag: '<', optional '/', a letter-led name, optional attributes, optional '/', '>'. "a < b" is not a tag.
    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    /// <summary>The tokens of <paramref name="text"/> (empty for an empty or blank text).</summary>
    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        if (Options.StripHtml && (text.Contains('<') || text.Contains('&')))
            text = HtmlTag().Replace(WebUtility.HtmlDecode(text), " ");
        if (Options.Lowercase) text = text.ToLowerInvariant();
        var span = text.AsSpan();
        int i = 0;
        while (i < span.Length)
        {
            Rune.DecodeFromUtf16(span[i..], out var rune, out int used);
            if (IsWord(rune))
            {
                int start = i;
                i += used;
                while (i < span.Length)
                {
                    Rune.DecodeFromUtf16(span[i..], out var r, out int u);
                    if (IsWord(r)) { i += u; continue; }
                    if (IsApostrophe(r) && i + u < span.Length)
                    {
                        Rune.DecodeFromUtf16(span[(i + u)..], out var after, out _);
                        if (IsWord(after)) { i += u; continue; }
                    }
                    break;
                }
                tokens.Add(text[start..i]);
            }
            else
            {
                if (Options.KeepPunctuation && !Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune))
                    tokens.Add(text.Substring(i, used));
                i += used;
            }
        }
        return tokens;
    }

    private static bool IsApostrophe(Rune r) => r.Value is '\'' or '\u2019';

    private static bool IsWord(Rune r) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };
}
