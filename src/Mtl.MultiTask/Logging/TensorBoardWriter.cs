// Writes a TensorBoard event file (events.out.tfevents.SECONDS.HOST) of scalar summaries.
using System.Globalization;

namespace Mtl.MultiTask.Logging;

/// <summary>
/// An event file TensorBoard reads: the first record carries <see cref="TensorBoardEvent.Version"/>, every later one
/// the scalars of one step. Point <c>tensorboard --logdir</c> at the folder (or any parent). Not thread-safe.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly Func<double> _clock;

    private TensorBoardWriter(FileStream stream, string path, Func<double> clock)
    {
        _stream = stream;
        _clock = clock;
        FilePath = path;
        Append(new TensorBoardEvent(clock(), 0, TensorBoardEvent.Version, []));
    }

    /// <summary>The event file written.</summary>
    public string FilePath { get; }

    /// <summary>
    /// A new event file in <paramref name="directory"/> (created if needed), named
    /// <c>events.out.tfevents.UNIXSECONDS.HOST</c> (with <c>.2</c>, <c>.3</c>, … appended when that name is taken, as
    /// when a resumed run starts within the same second). <paramref name="clock"/> gives the wall time in seconds since
    /// the Unix epoch (default: the system clock).
    /// </summary>
    public static TensorBoardWriter Create(string directory, Func<double>? clock = null)
    {
        clock ??= () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Directory.CreateDirectory(directory);
        long seconds = (long)Math.Floor(clock());
        string host = string.Concat(Environment.MachineName.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'));
        string stem = Path.Combine(directory, $"events.out.tfevents.{seconds.ToString(CultureInfo.InvariantCulture)}.{host}");
        for (int i = 1; ; i++)
        {
            string path = i == 1 ? stem : $"{stem}.{i.ToString(CultureInfo.InvariantCulture)}";
            try
            {
                return new TensorBoardWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read), path, clock);
            }
            catch (IOException) when (File.Exists(path)) { }
        }
    }

    /// <summary>
    /// One event at <paramref name="step"/> with the given scalars; non-finite values are left out (TensorBoard would
    /// draw them as gaps or spikes), and nothing is written when none is left.
    /// </summary>
    public void Scalars(long step, IEnumerable<(string Tag, double Value)> values)
    {
        var kept = values.Where(v => double.IsFinite(v.Value)).Select(v => new ScalarValue(v.Tag, (float)v.Value)).ToList();
        if (kept.Count > 0) Append(new TensorBoardEvent(_clock(), step, null, kept));
    }

    /// <summary>
    /// A <c>SessionLog.START</c> event at <paramref name="step"/>: TensorBoard then drops the events of earlier files of
    /// the run at this step or later — the steps an interrupted session logged after its last checkpoint, which the
    /// resumed session logs again.
    /// </summary>
    public void SessionStart(long step) => Append(new TensorBoardEvent(_clock(), step, null, []) { Session = SessionStatus.Start });

    /// <summary>Pushes buffered records to the file, so a running TensorBoard sees them.</summary>
    public void Flush() => _stream.Flush();

    private void Append(TensorBoardEvent e) => TfRecord.Write(_stream, EventProto.Encode(e));

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
