// Freezing and unfreezing parameters by name pattern (extension methods on Module), returning the names affected.
namespace Mtl.NN.Transfer;

/// <summary>
/// Freezes or unfreezes the parameters whose dotted names (as in <see cref="Module.NamedParameters"/>) match glob or
/// regular-expression patterns (see <see cref="NamePattern"/>): <c>model.FreezeMatching("encoder.*")</c>. A frozen
/// parameter has <see cref="Tensor.RequiresGrad"/> false and its stale gradient dropped, so backward passes leave it
/// without a gradient and every optimiser skips it (no momentum or weight-decay drift either).
/// </summary>
public static class ParameterFreezing
{
    /// <summary>
    /// Freezes every parameter matching any of <paramref name="patterns"/>; returns the names matched (frozen already
    /// or not), in parameter order.
    /// A pattern that matches no parameter is an error (naming it), and then nothing changes.
    /// </summary>
    public static IReadOnlyList<string> FreezeMatching(this Module module, params string[] patterns) => Set(module, patterns, frozen: true);

    /// <summary>Unfreezes every parameter matching any of <paramref name="patterns"/>; returns the names matched (errors as <see cref="FreezeMatching"/>).</summary>
    public static IReadOnlyList<string> UnfreezeMatching(this Module module, params string[] patterns) => Set(module, patterns, frozen: false);

    /// <summary>The names of the parameters that do not require gradients, in parameter order.</summary>
    public static IReadOnlyList<string> FrozenParameterNames(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedParameters().Where(p => !p.Parameter.RequiresGrad).Select(p => p.Name).ToList();
    }

    /// <summary>The names of the parameters that match any of <paramref name="patterns"/>, in parameter order (no error when none).</summary>
    public static IReadOnlyList<string> ParameterNamesMatching(this Module module, params string[] patterns)
    {
        ArgumentNullException.ThrowIfNull(module);
        var ps = patterns.Select(NamePattern.Parse).ToArray();
        return module.NamedParameters().Where(p => ps.Any(x => x.IsMatch(p.Name))).Select(p => p.Name).ToList();
    }

    private static List<string> Set(Module module, string[] patterns, bool frozen)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Length == 0) throw new ArgumentException($"{Verb(frozen)}Matching: give at least one name pattern");
        var compiled = patterns.Select(NamePattern.Parse).ToArray();
        var named = module.NamedParameters().ToList();
        var unmatched = compiled.Where(p => !named.Any(n => p.IsMatch(n.Name))).Select(p => $"'{p.Text}'").ToList();
        if (unmatched.Count > 0)
        {
            string sample = string.Join(", ", named.Take(8).Select(n => n.Name)) + (named.Count > 8 ? $", … ({named.Count} in all)" : "");
            throw new ArgumentException($"{Verb(frozen)}Matching on {module.GetType().Name}: pattern {string.Join(", ", unmatched)} matches no parameter (parameters: {sample})");
        }
        var affected = new List<string>();
        foreach (var (name, p) in named)
        {
            if (!compiled.Any(c => c.IsMatch(name))) continue;
            p.RequiresGrad = !frozen;
            if (frozen) p.Grad = null;   // a stale gradient would still be stepped by the optimiser
            affected.Add(name);
        }
        return affected;
    }

    private static string Verb(bool frozen) => frozen ? "Freeze" : "Unfreeze";
}
