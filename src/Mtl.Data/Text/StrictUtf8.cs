// Opens and reads text files as strict UTF-8 (BOM-aware), turning undecodable bytes into a DataFileException.
using System.Buffers;
using System.Text;

namespace Mtl.Data;

/// <summary>
/// Reading helpers that refuse undecodable bytes instead of silently replacing them with U+FFFD: a file in Latin-1 or
/// a binary file read by mistake gives a <see cref="DataFileException"/> naming it, the line and the byte offset. A
/// byte-order mark selects UTF-8, UTF-16 or UTF-32 as usual; without one the file must be UTF-8.
/// </summary>
internal static class StrictUtf8
{
    /// <summary>UTF-8 without BOM emission that throws on invalid bytes.</summary>
    internal static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Opens <paramref name="path"/> for reading; FileNotFoundException naming it when absent.</summary>
    internal static StreamReader Open(string path, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{what}: file '{path}' not found", path);
        return new StreamReader(path, Encoding, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 1 << 16 });
    }

    /// <summary>Reads the whole file; <see cref="DataFileException"/> when it is not valid text.</summary>
    internal static string ReadAllText(string path, string what)
    {
        using var reader = Open(path, what);
        try { return reader.ReadToEnd(); }
        catch (DecoderFallbackException e) { throw NotText(path, e); }
    }

    /// <summary>
    /// The error for undecodable bytes in the file at <paramref name="path"/>: locates the first invalid UTF-8 byte
    /// (line and offset) by scanning the file again.
    /// </summary>
    internal static DataFileException NotText(string path, DecoderFallbackException inner)
    {
        var (line, offset, value) = LocateInvalidUtf8(path);
        string what = offset < 0 ? "undecodable bytes" : $"byte 0x{value:X2} at offset {offset} is not valid UTF-8";
        return new(path, offset < 0 ? null : line, null,
            $"the file is not valid UTF-8 text ({what}); expected UTF-8, or UTF-16/32 with a byte-order mark", inner);
    }

    // Finds the first invalid UTF-8 sequence: its 1-based line (CRLF, LF or CR end a line), byte offset and first byte.
    // Returns offset -1 when the file decodes fine as UTF-8 (e.g. the bad bytes were in a UTF-16 file).
    private static (long Line, long Offset, byte Value) LocateInvalidUtf8(string path)
    {
        ReadOnlySpan<byte> bytes = File.ReadAllBytes(path);
        long line = 1;
        int i = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out int used) != OperationStatus.Done) return (line, i, bytes[i]);
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.Length || bytes[i + 1] != '\n'))) line++;
            i += used;
        }
        return (line, -1, 0);
    }
}
