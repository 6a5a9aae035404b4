// What a weight transfer did: loaded, converted, skipped, excluded and mis-shaped tensors, with a readable table.
using System.Text;

namespace Mtl.NN.Transfer;

/// <summary>One tensor copied from the source into the target.</summary>
/// <param name="Target">The target's state-dict name.</param>
/// <param name="Source">The source name it came from.</param>
/// <param name="Shape">The shape, e.g. "(4, 1, 3, 3)".</param>
/// <param name="SourceDType">The dtype in the source.</param>
/// <param name="TargetDType">The dtype of the target (differs when the value was converted).</param>
public sealed record LoadedTensor(string Target, string Source, string Shape, DType SourceDType, DType TargetDType)
{
    /// <summary>True when the value was converted between Float64 and Float32.</summary>
    public bool Converted => SourceDType != TargetDType;
}

/// <summary>A source tensor whose mapped name exists in the target with another shape or a non-float dtype.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Source">The source name.</param>
/// <param name="SourceShape">The source's shape (with its dtype when that is the problem).</param>
/// <param name="TargetShape">The target's shape (with its dtype when that is the problem).</param>
public sealed record MismatchedTensor(string Target, string Source, string SourceShape, string TargetShape);

/// <summary>A source tensor that was not used: no target of its mapped name, or ignored by the name map.</summary>
/// <param name="Source">The source name.</param>
/// <param name="MappedTo">The name it mapped to (null when the name map ignores it).</param>
public sealed record UnusedSource(string Source, string? MappedTo);

/// <summary>
/// The outcome of <see cref="WeightTransfer"/>: what was loaded (and converted), which source tensors found no target,
/// which target tensors found no source, which were excluded by the name map's filter, and which mapped names had
/// the wrong shape. <see cref="ToString"/> renders one table row per tensor.
/// </summary>
public sealed class TransferReport
{
    internal TransferReport(IReadOnlyList<LoadedTensor> loaded, IReadOnlyList<UnusedSource> unused, IReadOnlyList<string> missing,
        IReadOnlyList<string> excluded, IReadOnlyList<MismatchedTensor> mismatched, bool applied)
    {
        Loaded = loaded;
        UnusedSources = unused;
        MissingTargets = missing;
        Excluded = excluded;
        Mismatched = mismatched;
        Applied = applied;
    }

    /// <summary>Tensors copied into the target (in the target's order).</summary>
    public IReadOnlyList<LoadedTensor> Loaded { get; }

    /// <summary>Source tensors with no target of their mapped name (or ignored by the map), in the source's order.</summary>
    public IReadOnlyList<UnusedSource> UnusedSources { get; }

    /// <summary>Target tensors (parameters and persistent buffers) that nothing in the source mapped to; they keep their values.</summary>
    public IReadOnlyList<string> MissingTargets { get; }

    /// <summary>Target tensors left out by the name map's <see cref="NameMap.Only"/> filter; they keep their values.</summary>
    public IReadOnlyList<string> Excluded { get; }

    /// <summary>Mapped names whose source and target shapes (or dtype kinds) differ; the target keeps its values.</summary>
    public IReadOnlyList<MismatchedTensor> Mismatched { get; }

    /// <summary>Whether the loaded tensors were written into the target (false for a dry run).</summary>
    public bool Applied { get; }

    /// <summary>Loaded tensors whose value was converted between Float64 and Float32.</summary>
    public IEnumerable<LoadedTensor> Converted => Loaded.Where(l => l.Converted);

    /// <summary>True when every target was loaded and every source used (ignored sources and excluded targets aside).</summary>
    public bool IsExact => MissingTargets.Count == 0 && Mismatched.Count == 0 && UnusedSources.All(u => u.MappedTo is null);

    /// <summary>The problems strict mode refuses, one line each (empty when <see cref="IsExact"/>).</summary>
    public IReadOnlyList<string> Problems()
    {
        var lines = new List<string>();
        foreach (var m in Mismatched) lines.Add($"shape mismatch: '{m.Target}' (from '{m.Source}'): source {m.SourceShape}, target {m.TargetShape}");
        foreach (var t in MissingTargets) lines.Add($"missing in source: target '{t}'");
        foreach (var u in UnusedSources)
            if (u.MappedTo is not null) lines.Add(u.MappedTo == u.Source ? $"no target for source '{u.Source}'" : $"no target for source '{u.Source}' (mapped to '{u.MappedTo}')");
        return lines;
    }

    /// <summary>A summary line and a table: status, target name, source name, shape, note.</summary>
    public override string ToString()
    {
        var rows = new List<string[]>();
        foreach (var l in Loaded)
            rows.Add(["loaded", l.Target, l.Source, l.Shape, l.Converted ? $"{l.SourceDType} -> {l.TargetDType}" : ""]);
        foreach (var m in Mismatched) rows.Add(["MISMATCH", m.Target, m.Source, m.TargetShape, $"source has {m.SourceShape}"]);
        foreach (var t in MissingTargets) rows.Add(["missing", t, "-", "", "not in source; kept"]);
        foreach (var t in Excluded) rows.Add(["excluded", t, "-", "", "filtered out by the name map; kept"]);
        foreach (var u in UnusedSources)
            rows.Add(["unused", u.MappedTo ?? "-", u.Source, "", u.MappedTo is null ? "ignored by the name map" : "no such target"]);

        var sb = new StringBuilder();
        sb.Append("weight transfer").Append(Applied ? "" : " (dry run)").Append(": ")
          .Append(Loaded.Count).Append(" loaded (").Append(Converted.Count()).Append(" converted), ")
          .Append(Mismatched.Count).Append(" mis-shaped, ").Append(MissingTargets.Count).Append(" missing, ")
          .Append(Excluded.Count).Append(" excluded, ").Append(UnusedSources.Count).Append(" unused\n");
        string[] header = ["status", "target", "source", "shape", "note"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Row(string[] cells) => sb.Append(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        Row(header);
        Row(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Row(r);
        return sb.ToString();
    }
}
