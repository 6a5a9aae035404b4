// Replaces a file all-or-nothing: write a sibling temp file, flush it to disk, then rename it over the target.
namespace Mtl.NN.Serialization;

/// <summary>
/// Atomic file replacement. The content goes to a hidden temp file in the target's directory (same file system, so
/// the final rename is atomic), is flushed to the disk (<c>FileStream.Flush(true)</c>, i.e. fsync), and is then moved
/// over the target with <c>File.Move(temp, path, overwrite: true)</c>. If anything fails the temp file is deleted and
/// the previous file is left exactly as it was. (The directory entry itself is not fsynced: .NET has no portable call
/// for it, so after a power cut the rename may be lost, leaving the previous file, never a partial one.)
/// </summary>
internal static class AtomicFile
{
    /// <summary>The pattern temp files match: <c>.{name}.{random}.tmp</c> beside the target.</summary>
    internal static string TempPattern(string fileName) => $".{fileName}.*.tmp";

    /// <summary>
    /// Writes <paramref name="path"/> atomically with <paramref name="write"/>. <paramref name="interpose"/> (tests only)
    /// wraps the temp file stream, e.g. to simulate a full disk.
    /// </summary>
    internal static void Write(string path, Action<Stream> write, Func<Stream, Stream>? interpose = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"atomic write: '{path}' has no directory");
        string name = Path.GetFileName(full);
        if (name.Length == 0) throw new ArgumentException($"atomic write: '{path}' names a directory, not a file");
        string temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                var s = interpose is null ? fs : interpose(fs);
                write(s);
                s.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
