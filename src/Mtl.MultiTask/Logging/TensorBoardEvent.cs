// One TensorBoard event: wall time, step, and the file version, a summary of scalar values, or a session status.
namespace Mtl.MultiTask.Logging;

/// <summary>One scalar of a summary: its tag (e.g. <c>train/loss/segmentation</c>) and value.</summary>
public sealed record ScalarValue(string Tag, float Value);

/// <summary>TensorBoard's <c>SessionLog.SessionStatus</c>.</summary>
public enum SessionStatus
{
    /// <summary>A (re)start: TensorBoard drops the events of earlier files at this step or later (orphaned by a crash or an interruption).</summary>
    Start = 1,
    /// <summary>The session ended.</summary>
    Stop = 2,
    /// <summary>A checkpoint was written.</summary>
    Checkpoint = 3,
}

/// <summary>
/// The subset of TensorBoard's <c>Event</c> message Mtl writes and reads: <c>wall_time</c> (seconds since the Unix
/// epoch), <c>step</c>, <c>file_version</c> (first record only, <c>"brain.Event:2"</c>), a summary of simple values,
/// and <c>session_log</c>'s status (<see cref="Session"/>).
/// </summary>
public sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<ScalarValue> Values)
{
    /// <summary>The file version TensorBoard expects in a file's first record.</summary>
    public const string Version = "brain.Event:2";

    /// <summary>The <c>session_log</c> status of a session event (null for other events).</summary>
    public SessionStatus? Session { get; init; }
}
