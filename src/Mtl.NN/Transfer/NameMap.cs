// How source tensor names become target names when transferring weights: exact renames, prefix rewrites, a filter.
namespace Mtl.NN.Transfer;

/// <summary>
/// Maps the names in a source state dict (a checkpoint or a PyTorch file) to the names of a target module. A source
/// name is mapped by, in order: an exact <see cref="Rename"/>; else the LONGEST matching <see cref="RewritePrefix"/>
/// (<c>"backbone."</c> → <c>"encoder."</c>); else it is kept as it is. A source name mapped to null by
/// <see cref="Ignore"/> is dropped on purpose (reported as ignored, never an error). <see cref="Only"/> restricts which
/// TARGET names are loaded at all; the others are left untouched and reported as excluded.
/// <code>
/// var map = new NameMap().RewritePrefix("backbone.", "encoder.").Rename("fc.weight", "heads.a.weight").Only("encoder.*");
/// </code>
/// </summary>
public sealed class NameMap
{
    private readonly Dictionary<string, string?> _renames = new(StringComparer.Ordinal);
    private readonly List<(string From, string To)> _prefixes = [];
    private readonly List<NamePattern> _ignore = [];
    private readonly List<NamePattern> _only = [];

    /// <summary>The identity map (every name kept, every target loaded).</summary>
    public static NameMap Identity => new();

    /// <summary>Maps the source name <paramref name="source"/> to exactly <paramref name="target"/>.</summary>
    public NameMap Rename(string source, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (!_renames.TryAdd(source, target)) throw new ArgumentException($"NameMap: source name '{source}' is renamed twice");
        return this;
    }

    /// <summary>Maps every source name starting with <paramref name="sourcePrefix"/> to <paramref name="targetPrefix"/> + the rest.</summary>
    public NameMap RewritePrefix(string sourcePrefix, string targetPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePrefix);
        ArgumentNullException.ThrowIfNull(targetPrefix);
        if (_prefixes.Any(p => p.From == sourcePrefix)) throw new ArgumentException($"NameMap: source prefix '{sourcePrefix}' is rewritten twice");
        _prefixes.Add((sourcePrefix, targetPrefix));
        return this;
    }

    /// <summary>Drops the source names matching any of <paramref name="patterns"/> (e.g. an old classifier).</summary>
    public NameMap Ignore(params string[] patterns)
    {
        foreach (var p in patterns) _ignore.Add(NamePattern.Parse(p));
        return this;
    }

    /// <summary>Loads only target names matching one of <paramref name="patterns"/> (may be called again to add more).</summary>
    public NameMap Only(params string[] patterns)
    {
        foreach (var p in patterns) _only.Add(NamePattern.Parse(p));
        return this;
    }

    /// <summary>The target name of <paramref name="source"/>, or null when it is ignored.</summary>
    public string? Map(string source)
    {
        if (_ignore.Any(p => p.IsMatch(source))) return null;
        if (_renames.TryGetValue(source, out var exact)) return exact;
        (string From, string To)? best = null;
        foreach (var p in _prefixes)
            if (source.StartsWith(p.From, StringComparison.Ordinal) && (best is null || p.From.Length > best.Value.From.Length))
                best = p;
        return best is { } b ? b.To + source[b.From.Length..] : source;
    }

    /// <summary>True when the target name <paramref name="target"/> passes the <see cref="Only"/> filter (always, without one).</summary>
    public bool Includes(string target) => _only.Count == 0 || _only.Any(p => p.IsMatch(target));
}
