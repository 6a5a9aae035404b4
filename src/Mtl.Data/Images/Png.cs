// A minimal PNG encoder (8-bit grayscale or RGB, no interlace) over ZLibStream, with its own CRC-32.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Mtl.Data;

/// <summary>
/// Writes PNG files: signature, IHDR, one IDAT (zlib stream of the scanlines, each with filter byte 0 = none or
/// 2 = up, whichever is cheaper by the usual sum-of-absolute-values heuristic), IEND; every chunk carries the CRC-32 of
/// its type and data (ISO 3309 / ITU-T V.42 polynomial, as the PNG specification requires).
/// </summary>
public static class Png
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>PNG bytes of an 8-bit grayscale image (<paramref name="pixels"/>: height × width, row-major).</summary>
    public static byte[] EncodeGray(ReadOnlySpan<byte> pixels, int width, int height) => Encode(pixels, width, height, 1);

    /// <summary>PNG bytes of an 8-bit RGB image (<paramref name="rgb"/>: height × width × 3, row-major).</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height) => Encode(rgb, width, height, 3);

    /// <summary>Writes an 8-bit grayscale PNG file.</summary>
    public static void WriteGray(string path, ReadOnlySpan<byte> pixels, int width, int height) => File.WriteAllBytes(path, EncodeGray(pixels, width, height));

    /// <summary>Writes an 8-bit RGB PNG file.</summary>
    public static void WriteRgb(string path, ReadOnlySpan<byte> rgb, int width, int height) => File.WriteAllBytes(path, EncodeRgb(rgb, width, height));

    /// <summary>CRC-32 (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => ~UpdateCrc(0xFFFFFFFFu, data);

    private static byte[] Encode(ReadOnlySpan<byte> data, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"Png: image size must be positive, got {width}×{height}");
        long stride = (long)width * channels;
        if (data.Length != stride * height)
            throw new ArgumentException($"Png: {data.Length} bytes for a {width}×{height} image with {channels} channel(s) (expected {stride * height})");
        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;                                  // bit depth
        ihdr[9] = (byte)(channels == 1 ? 0 : 2);      // colour type: 0 grayscale, 2 truecolour
        ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;     // deflate, adaptive filtering, no interlace
        WriteChunk(output, "IHDR", ihdr);

        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var line = new byte[stride + 1];
                for (int y = 0; y < height; y++)
                {
                    var row = data.Slice((int)(y * stride), (int)stride);
                    var above = y == 0 ? default : data.Slice((int)((y - 1) * stride), (int)stride);
                    long costNone = 0, costUp = 0;
                    for (int i = 0; i < row.Length; i++)
                    {
                        costNone += Math.Abs((int)(sbyte)row[i]);
                        costUp += Math.Abs((int)(sbyte)(byte)(row[i] - (y == 0 ? 0 : above[i])));
                    }
                    bool up = y > 0 && costUp < costNone;
                    line[0] = (byte)(up ? 2 : 0);
                    for (int i = 0; i < row.Length; i++) line[i + 1] = up ? (byte)(row[i] - above[i]) : row[i];
                    z.Write(line);
                }
            }
            WriteChunk(output, "IDAT", idat.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        s.Write(head);
        s.Write(data);
        uint crc = ~UpdateCrc(UpdateCrc(0xFFFFFFFFu, head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }

    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}
