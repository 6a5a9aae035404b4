// Applies a config's `transfer` section: loads trained weights into the model through a name map, then freezes by pattern.
using Mtl.Cli.Config;
using Mtl.NN;
using Mtl.NN.Serialization;
using Mtl.NN.Transfer;

namespace Mtl.Cli.Model;

/// <summary>What a run's transfer did: the load report and the parameters frozen.</summary>
/// <param name="Report">What was loaded, converted, skipped or mis-shaped.</param>
/// <param name="Frozen">The parameters frozen after loading.</param>
internal sealed record TransferOutcome(TransferReport? Report, IReadOnlyList<string> Frozen)
{
    /// <summary>The report and the frozen parameters as text (the run folder's transfer.txt).</summary>
    public override string ToString() =>
        (Report is null ? "no weights loaded\n" : Report.ToString() + "\n") +
        (Frozen.Count == 0 ? "nothing frozen\n" : $"frozen ({Frozen.Count}): {string.Join(", ", Frozen)}\n");
}

/// <summary>Builds the <see cref="NameMap"/> of a <c>transfer</c> section and applies it; mistakes name the section.</summary>
internal static class RunTransfer
{
    /// <summary>Loads and freezes as <paramref name="c"/> says; null when the section asks for nothing.</summary>
    /// <exception cref="ConfigException">The file is missing or unreadable, a pair is not SOURCE=TARGET, a pattern matches nothing, or (strict) the weights do not fit.</exception>
    public static TransferOutcome? Apply(RunConfig c, Module model)
    {
        var t = c.Transfer;
        if (t.From is null && t.Freeze.Length == 0) return null;
        string where = c.Where("transfer");
        TransferReport? report = null;
        if (t.From is { } from)
        {
            if (!File.Exists(from)) throw new ConfigException(where, $"'transfer.from': weights file not found: {from}");
            var map = new NameMap();
            foreach (var (source, target) in Pairs(t.Prefixes, "prefixes", where)) map.RewritePrefix(source, target);
            foreach (var (source, target) in Pairs(t.Renames, "renames", where)) map.Rename(source, target);
            if (t.Ignore.Length > 0) map.Ignore(t.Ignore);
            if (t.Only.Length > 0) map.Only(t.Only);
            try { report = WeightTransfer.LoadFile(model, from, map, t.Strict); }
            catch (Exception e) when (e is TransferException or ArgumentException or IOException or SafeTensorsFormatException)
            {
                throw new ConfigException(where, $"'transfer' from {from}: {e.Message}", e);
            }
        }
        IReadOnlyList<string> frozen = [];
        if (t.Freeze.Length > 0)
        {
            try { frozen = model.FreezeMatching(t.Freeze); }
            catch (ArgumentException e) { throw new ConfigException(where, $"'transfer.freeze': {e.Message}", e); }
        }
        return new TransferOutcome(report, frozen);
    }

    private static IEnumerable<(string Source, string Target)> Pairs(string[] pairs, string key, string where)
    {
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1)
                throw new ConfigException(where, $"'transfer.{key}' entries are SOURCE=TARGET, got '{pair}'");
            yield return (pair[..eq], pair[(eq + 1)..]);
        }
    }
}
