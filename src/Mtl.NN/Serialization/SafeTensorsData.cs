// Moves tensor bytes between streams and tensors: raw little-endian copies and the widening/narrowing conversions.
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Mtl.NN.Serialization;

/// <summary>
/// Chunked (1 MiB) tensor data I/O, so no single span ever exceeds the int range and conversions need no
/// whole-tensor scratch buffers. Data is little-endian, as the format requires; Mtl refuses big-endian hosts.
/// </summary>
internal static class SafeTensorsData
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Throws on big-endian machines, where raw copies would be wrong.</summary>
    public static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: Mtl reads and writes safetensors only on little-endian machines");
    }

    /// <summary>Reads one tensor's bytes from <paramref name="s"/> (positioned at its begin) into a new unscoped tensor.</summary>
    public static Tensor Read(Stream s, SafeTensorsEntry e, string source)
    {
        var dtype = e.DType.LoadsAs()!.Value;
        var t = Tensor.EmptyUnscoped(e.Shape, dtype);
        try
        {
            switch (e.DType)
            {
                case SafeTensorsDType.F32: ReadRaw(s, t.Span<float>()); break;
                case SafeTensorsDType.F64: ReadRaw(s, t.Span<double>()); break;
                case SafeTensorsDType.I32: ReadRaw(s, t.Span<int>()); break;
                default: ReadConverted(s, e, t, source); break;
            }
        }
        catch (EndOfStreamException ex)
        {
            throw SafeTensorsHeaderReader.Fail(source, $"tensor '{SafeTensorsHeaderReader.Shorten(e.Name)}': data ends early (file truncated while reading)", ex);
        }
        return t;
    }

    private static void ReadRaw<T>(Stream s, Span<T> dst) where T : unmanaged
    {
        int per = ChunkBytes / Marshal.SizeOf<T>();
        for (int i = 0; i < dst.Length; i += per)
            s.ReadExactly(MemoryMarshal.AsBytes(dst.Slice(i, Math.Min(per, dst.Length - i))));
    }

    // F16/BF16 → float32 (exact), I64 → int32 (range-checked), U8/I8/BOOL → int32.
    private static void ReadConverted(Stream s, SafeTensorsEntry e, Tensor t, string source)
    {
        int size = e.DType.BitSize() / 8;
        int per = ChunkBytes / size;
        byte[] buf = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int i = 0; i < e.Numel; i += per)
            {
                int n = Math.Min(per, e.Numel - i);
                var src = buf.AsSpan(0, n * size);
                s.ReadExactly(src);
                switch (e.DType)
                {
                    case SafeTensorsDType.F16:
                    {
                        var d = t.Span<float>().Slice(i, n);
                        var h = MemoryMarshal.Cast<byte, Half>(src);
                        for (int k = 0; k < n; k++) d[k] = (float)h[k];
                        break;
                    }
                    case SafeTensorsDType.BF16:
                    {
                        var d = t.Span<float>().Slice(i, n);
                        var h = MemoryMarshal.Cast<byte, ushort>(src);
                        for (int k = 0; k < n; k++) d[k] = BitConverter.Int32BitsToSingle(h[k] << 16);
                        break;
                    }
                    case SafeTensorsDType.I64:
                    {
                        var d = t.Span<int>().Slice(i, n);
                        var l = MemoryMarshal.Cast<byte, long>(src);
                        for (int k = 0; k < n; k++)
                        {
                            if (l[k] < int.MinValue || l[k] > int.MaxValue)
                                throw SafeTensorsHeaderReader.Fail(source, $"tensor '{SafeTensorsHeaderReader.Shorten(e.Name)}': I64 element {i + k} is {l[k]}, outside the int32 range Mtl loads I64 into");
                            d[k] = (int)l[k];
                        }
                        break;
                    }
                    case SafeTensorsDType.U8:
                    {
                        var d = t.Span<int>().Slice(i, n);
                        for (int k = 0; k < n; k++) d[k] = src[k];
                        break;
                    }
                    case SafeTensorsDType.I8:
                    {
                        var d = t.Span<int>().Slice(i, n);
                        for (int k = 0; k < n; k++) d[k] = (sbyte)src[k];
                        break;
                    }
                    case SafeTensorsDType.BOOL:
                    {
                        var d = t.Span<int>().Slice(i, n);
                        for (int k = 0; k < n; k++) d[k] = src[k] != 0 ? 1 : 0;
                        break;
                    }
                    default:
                        throw new InvalidOperationException($"internal: no reader for {e.DType}");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>Writes a tensor's elements (any layout) as little-endian bytes.</summary>
    public static void Write(Stream s, Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32: WriteRaw(s, t.IsContiguous ? t.Span<float>() : t.ToArray<float>()); break;
            case DType.Float64: WriteRaw(s, t.IsContiguous ? t.Span<double>() : t.ToArray<double>()); break;
            default: WriteRaw(s, t.IsContiguous ? t.Span<int>() : t.ToArray<int>()); break;
        }
    }

    private static void WriteRaw<T>(Stream s, ReadOnlySpan<T> src) where T : unmanaged
    {
        int per = ChunkBytes / Marshal.SizeOf<T>();
        for (int i = 0; i < src.Length; i += per)
            s.Write(MemoryMarshal.AsBytes(src.Slice(i, Math.Min(per, src.Length - i))));
    }

    /// <summary>The 8-byte little-endian header length field.</summary>
    public static ulong ReadLength(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt64LittleEndian(b);
}
