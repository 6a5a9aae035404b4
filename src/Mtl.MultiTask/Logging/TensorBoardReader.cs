// Reads TensorBoard event files back: every record's CRCs verified, every Event decoded.
namespace Mtl.MultiTask.Logging;

/// <summary>One scalar read back from an event file.</summary>
/// <param name="WallTime">Seconds since the Unix epoch.</param>
/// <param name="Step">The step the scalar was logged at.</param>
/// <param name="Tag">Its tag, e.g. <c>train/loss/segmentation</c>.</param>
/// <param name="Value">Its value.</param>
public sealed record ScalarPoint(double WallTime, long Step, string Tag, float Value);

/// <summary>Reads event files written by <see cref="TensorBoardWriter"/> (or TensorBoard's own writers: scalar values only).</summary>
public static class TensorBoardReader
{
    /// <summary>Every event of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">A record is truncated, a CRC does not match, or an event is malformed;
    /// the message names the file and the record's byte offset.</exception>
    public static IReadOnlyList<TensorBoardEvent> ReadEvents(string path)
    {
        var events = new List<TensorBoardEvent>();
        foreach (var record in TfRecord.ReadAll(File.ReadAllBytes(path), path))
        {
            try { events.Add(EventProto.Decode(record.Data)); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: record at byte offset {record.Offset}: {e.Message}", e); }
        }
        return events;
    }

    /// <summary>Every scalar of <paramref name="path"/> as (wall time, step, tag, value), in file order.</summary>
    public static IReadOnlyList<ScalarPoint> ReadScalars(string path) =>
        ReadEvents(path).SelectMany(e => e.Values.Select(v => new ScalarPoint(e.WallTime, e.Step, v.Tag, v.Value))).ToList();

    /// <summary>
    /// The scalars of one TensorBoard run — the event files directly in <paramref name="directory"/> (sub-folders are
    /// runs of their own) — as TensorBoard shows them: the files read oldest name first, and a
    /// <c>SessionLog.START</c> event at step s drops every scalar read before it with step ≥ s (TensorBoard's purge of
    /// orphaned data), so a resumed run has each step once.
    /// </summary>
    public static IReadOnlyList<ScalarPoint> ReadRun(string directory)
    {
        var points = new List<ScalarPoint>();
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*tfevents*").Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        foreach (var file in files)
            foreach (var e in ReadEvents(file))
            {
                if (e.Session == SessionStatus.Start) points.RemoveAll(p => p.Step >= e.Step);
                points.AddRange(e.Values.Select(v => new ScalarPoint(e.WallTime, e.Step, v.Tag, v.Value)));
            }
        return points;
    }

    /// <summary>The event files (<c>*tfevents*</c>) under <paramref name="directory"/>, oldest name first.</summary>
    public static IReadOnlyList<string> EventFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*tfevents*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
}
