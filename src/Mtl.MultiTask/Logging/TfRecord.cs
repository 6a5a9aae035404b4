// TFRecord framing: length, masked CRC-32C of the length, data, masked CRC-32C of the data.
using System.Buffers.Binary;

namespace Mtl.MultiTask.Logging;

/// <summary>One record read back from a TFRecord file: where it starts and its payload.</summary>
/// <param name="Offset">Byte offset of the record's length field in the file.</param>
/// <param name="Data">The payload (CRCs already verified).</param>
public sealed record TfRecordEntry(long Offset, byte[] Data);

/// <summary>
/// Writes and reads TFRecord framing: <c>uint64 length (little-endian), uint32 masked_crc32c(length bytes),
/// byte data[length], uint32 masked_crc32c(data)</c>.
/// </summary>
public static class TfRecord
{
    private const int HeaderBytes = 12, FooterBytes = 4;

    /// <summary>Appends one record holding <paramref name="data"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[FooterBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>
    /// Every record of <paramref name="bytes"/>, both CRCs verified. <paramref name="source"/> names the file in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">A record is truncated or a CRC does not match; the message names the
    /// file and the record's byte offset.</exception>
    public static IReadOnlyList<TfRecordEntry> ReadAll(ReadOnlySpan<byte> bytes, string source)
    {
        var records = new List<TfRecordEntry>();
        long offset = 0;
        int index = 0;
        while (offset < bytes.Length)
        {
            var rest = bytes[(int)offset..];
            string where = $"{source}: record {index} at byte offset {offset}";
            if (rest.Length < HeaderBytes) throw new InvalidDataException($"{where}: truncated header ({rest.Length} of {HeaderBytes} bytes)");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(rest);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
            uint computed = Crc32C.Masked(rest[..8]);
            if (stored != computed) throw new InvalidDataException($"{where}: length CRC mismatch (stored 0x{stored:x8}, computed 0x{computed:x8})");
            if (length > (ulong)(rest.Length - HeaderBytes - FooterBytes))
                throw new InvalidDataException($"{where}: truncated record (length {length}, {rest.Length - HeaderBytes} bytes left)");
            var data = rest.Slice(HeaderBytes, (int)length);
            stored = BinaryPrimitives.ReadUInt32LittleEndian(rest[(HeaderBytes + (int)length)..]);
            computed = Crc32C.Masked(data);
            if (stored != computed) throw new InvalidDataException($"{where}: data CRC mismatch (stored 0x{stored:x8}, computed 0x{computed:x8})");
            records.Add(new TfRecordEntry(offset, data.ToArray()));
            offset += HeaderBytes + (long)length + FooterBytes;
            index++;
        }
        return records;
    }
}
