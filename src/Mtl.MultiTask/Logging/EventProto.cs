// Hand-written protobuf encoding and decoding of TensorBoard's Event { wall_time, step, file_version, summary }.
using System.Buffers.Binary;
using System.Text;

namespace Mtl.MultiTask.Logging;

/// <summary>
/// Protobuf wire format of <see cref="TensorBoardEvent"/>: Event { double wall_time = 1; int64 step = 2;
/// string file_version = 3; Summary summary = 5; SessionLog session_log = 7; }, Summary { repeated Value value = 1; },
/// Value { string tag = 1; float simple_value = 2; }, SessionLog { SessionStatus status = 1; }. Unknown fields are
/// skipped when decoding.
/// </summary>
public static class EventProto
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    /// <summary>The event's protobuf bytes.</summary>
    public static byte[] Encode(TensorBoardEvent e)
    {
        var buffer = new MemoryStream();
        Key(buffer, 1, Fixed64);
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(eight, e.WallTime);
        buffer.Write(eight);
        Key(buffer, 2, Varint);
        WriteVarint(buffer, unchecked((ulong)e.Step));
        if (e.FileVersion is { } version) Bytes(buffer, 3, Encoding.UTF8.GetBytes(version));
        if (e.Values.Count > 0)
        {
            var summary = new MemoryStream();
            foreach (var v in e.Values) Bytes(summary, 1, EncodeValue(v));
            Bytes(buffer, 5, summary.ToArray());
        }
        if (e.Session is { } status)
        {
            var session = new MemoryStream();
            Key(session, 1, Varint);
            WriteVarint(session, (ulong)status);
            Bytes(buffer, 7, session.ToArray());
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes an event written by <see cref="Encode"/> (or by TensorBoard's own writers; other fields are skipped).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed message.</exception>
    public static TensorBoardEvent Decode(ReadOnlySpan<byte> data)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var values = new List<ScalarValue>();
        SessionStatus? session = null;
        int pos = 0;
        while (pos < data.Length)
        {
            var (field, wire) = ReadKey(data, ref pos);
            if (field == 1 && wire == Fixed64) { wall = BinaryPrimitives.ReadDoubleLittleEndian(Take(data, ref pos, 8)); }
            else if (field == 2 && wire == Varint) { step = unchecked((long)ReadVarint(data, ref pos)); }
            else if (field == 3 && wire == LengthDelimited) { version = Encoding.UTF8.GetString(ReadBytes(data, ref pos)); }
            else if (field == 5 && wire == LengthDelimited) { DecodeSummary(ReadBytes(data, ref pos), values); }
            else if (field == 7 && wire == LengthDelimited) { session = DecodeSession(ReadBytes(data, ref pos)); }
            else Skip(data, ref pos, wire);
        }
        return new TensorBoardEvent(wall, step, version, values) { Session = session };
    }

    private static byte[] EncodeValue(ScalarValue v)
    {
        var buffer = new MemoryStream();
        Bytes(buffer, 1, Encoding.UTF8.GetBytes(v.Tag));
        Key(buffer, 2, Fixed32);
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(four, v.Value);
        buffer.Write(four);
        return buffer.ToArray();
    }

    // SessionLog { status = 1 }: the status (0, unspecified, when absent).
    private static SessionStatus DecodeSession(ReadOnlySpan<byte> data)
    {
        ulong status = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            var (field, wire) = ReadKey(data, ref pos);
            if (field == 1 && wire == Varint) status = ReadVarint(data, ref pos);
            else Skip(data, ref pos, wire);
        }
        return (SessionStatus)status;
    }

    private static void DecodeSummary(ReadOnlySpan<byte> data, List<ScalarValue> values)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            var (field, wire) = ReadKey(data, ref pos);
            if (field == 1 && wire == LengthDelimited) { if (DecodeValue(ReadBytes(data, ref pos)) is { } v) values.Add(v); }
            else Skip(data, ref pos, wire);
        }
    }

    // A value without simple_value (an image, a histogram) is not a scalar: null.
    private static ScalarValue? DecodeValue(ReadOnlySpan<byte> data)
    {
        string tag = "";
        float? value = null;
        int pos = 0;
        while (pos < data.Length)
        {
            var (field, wire) = ReadKey(data, ref pos);
            if (field == 1 && wire == LengthDelimited) tag = Encoding.UTF8.GetString(ReadBytes(data, ref pos));
            else if (field == 2 && wire == Fixed32) value = BinaryPrimitives.ReadSingleLittleEndian(Take(data, ref pos, 4));
            else Skip(data, ref pos, wire);
        }
        return value is { } v ? new ScalarValue(tag, v) : null;
    }

    private static void Key(Stream s, int field, int wire) => WriteVarint(s, (ulong)((field << 3) | wire));

    private static void Bytes(Stream s, int field, ReadOnlySpan<byte> bytes)
    {
        Key(s, field, LengthDelimited);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static (int Field, int Wire) ReadKey(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong key = ReadVarint(data, ref pos);
        return ((int)(key >> 3), (int)(key & 7));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException($"protobuf: varint runs past the end at byte {pos}");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException($"protobuf: varint longer than 10 bytes ending at byte {pos}");
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        if (count < 0 || pos + count > data.Length) throw new InvalidDataException($"protobuf: field of {count} bytes at byte {pos} runs past the end ({data.Length} bytes)");
        var slice = data.Slice(pos, count);
        pos += count;
        return slice;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong length = ReadVarint(data, ref pos);
        if (length > int.MaxValue) throw new InvalidDataException($"protobuf: length {length} at byte {pos} is too large");
        return Take(data, ref pos, (int)length);
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case Varint: ReadVarint(data, ref pos); break;
            case Fixed64: Take(data, ref pos, 8); break;
            case LengthDelimited: ReadBytes(data, ref pos); break;
            case Fixed32: Take(data, ref pos, 4); break;
            default: throw new InvalidDataException($"protobuf: unsupported wire type {wire} at byte {pos}");
        }
    }
}
