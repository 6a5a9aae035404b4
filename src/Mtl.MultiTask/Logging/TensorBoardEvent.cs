// One TensorBoard event: wall time, step, and either the file version or a summary of scalar values.
namespace Mtl.MultiTask.Logging;

/// <summary>One scalar of a summary: its tag (e.g. <c>train/loss/segmentation</c>) and value.</summary>
public sealed record ScalarValue(string Tag, float Value);

/// <summary>
/// The subset of TensorBoard's <c>Event</c> message Mtl writes and reads: <c>wall_time</c> (seconds since the Unix
/// epoch), <c>step</c>, <c>file_version</c> (first record only, <c>"brain.Event:2"</c>) and a summary of simple values.
/// </summary>
public sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<ScalarValue> Values)
{
    /// <summary>The file version TensorBoard expects in a file's first record.</summary>
    public const string Version = "brain.Event:2";
}
