// A parameter-name pattern: a glob such as "encoder.*" or "heads.*.0.*", or a regular expression ("re:...").
using System.Text;
using System.Text.RegularExpressions;

namespace Mtl.NN.Transfer;

/// <summary>
/// Matches dotted parameter names. A glob matches the WHOLE name: <c>*</c> stands for any run of characters, dots
/// included (so <c>encoder.*</c> matches <c>encoder.0.weight</c>), <c>?</c> for exactly one character; everything else
/// is literal. A pattern written <c>re:EXPR</c> is a .NET regular expression, also matched against the whole name.
/// Matching is ordinal and case-sensitive.
/// </summary>
public sealed class NamePattern
{
    private const string RegexPrefix = "re:";
    private readonly Regex _regex;

    private NamePattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="pattern"/>: <c>re:EXPR</c> is a regular expression, anything else a glob.</summary>
    public static NamePattern Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return pattern.StartsWith(RegexPrefix, StringComparison.Ordinal) ? Regex(pattern[RegexPrefix.Length..], pattern) : Glob(pattern);
    }

    /// <summary>A glob pattern (<c>*</c> any characters including '.', <c>?</c> one character).</summary>
    public static NamePattern Glob(string glob)
    {
        ArgumentException.ThrowIfNullOrEmpty(glob);
        var sb = new StringBuilder("^");
        foreach (char c in glob)
            sb.Append(c switch { '*' => ".*", '?' => ".", _ => System.Text.RegularExpressions.Regex.Escape(c.ToString()) });
        sb.Append('$');
        return new NamePattern(glob, new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
    }

    /// <summary>A regular expression, matched against the whole name.</summary>
    public static NamePattern Regex(string expression) => Regex(expression, RegexPrefix + expression);

    private static NamePattern Regex(string expression, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(expression);
        try
        {
            return new NamePattern(text, new Regex($"^(?:{expression})$", RegexOptions.CultureInvariant));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"name pattern '{text}' is not a valid regular expression: {e.Message}", e);
        }
    }

    /// <summary>True when the whole of <paramref name="name"/> matches.</summary>
    public bool IsMatch(string name) => _regex.IsMatch(name);

    /// <summary>The pattern as written.</summary>
    public override string ToString() => Text;
}
