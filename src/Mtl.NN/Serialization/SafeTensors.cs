// Public entry points for reading and writing safetensors files, streams and byte arrays as StateDicts.
namespace Mtl.NN.Serialization;

/// <summary>
/// Reads and writes the <see href="https://github.com/huggingface/safetensors">safetensors</see> format: an 8-byte
/// little-endian header length N, N bytes of JSON header (tensor name → dtype, shape, data_offsets, plus a
/// <c>__metadata__</c> string map), then the packed little-endian data. Files Mtl writes are byte-identical to what the
/// reference library writes for the same tensors (see <see cref="SafeTensorsHeaderWriter"/> for the layout and the one
/// difference: metadata key order), so PyTorch's <c>safetensors.torch.load_file</c> reads them.
/// <para>Writing: Float32 → F32, Float64 → F64, Int32 → I32; <see cref="StateDict.Values"/> become <c>__metadata__</c>.
/// File writes are atomic (<see cref="AtomicFile"/>).</para>
/// <para>Reading: F32, F64, I32 load as themselves; F16 and BF16 widen exactly to Float32; I64 narrows to Int32 (a
/// value outside the int32 range is an error); U8, I8 and BOOL load as Int32 (BOOL as 0/1). Other dtypes are refused.
/// Tensors come back in data-offset order (the writer's order), unscoped, with metadata in <see cref="StateDict.Values"/>.
/// Input is treated as untrusted: every size is checked against the real length before anything is allocated, and any
/// problem, including truncation, raises <see cref="SafeTensorsFormatException"/>.</para>
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted or written (the reference library's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    // ---- writing ----

    /// <summary>Writes <paramref name="state"/> to <paramref name="path"/> atomically (temp file, fsync, rename).</summary>
    public static void Save(string path, StateDict state) => Save(path, state, interpose: null);

    /// <summary>As <see cref="Save(string, StateDict)"/>; <paramref name="interpose"/> wraps the temp stream (tests).</summary>
    internal static void Save(string path, StateDict state, Func<Stream, Stream>? interpose)
    {
        var plan = SafeTensorsHeaderWriter.Plan(state); // validate before touching the disk
        AtomicFile.Write(path, s => WritePlan(s, plan), interpose);
    }

    /// <summary>Writes <paramref name="state"/> to <paramref name="stream"/> at its current position.</summary>
    public static void Save(Stream stream, StateDict state)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePlan(stream, SafeTensorsHeaderWriter.Plan(state));
    }

    /// <summary>The bytes of the safetensors file for <paramref name="state"/>.</summary>
    public static byte[] Serialize(StateDict state)
    {
        var ms = new MemoryStream();
        Save(ms, state);
        return ms.ToArray();
    }

    private static void WritePlan(Stream s, SafeTensorsPlan plan)
    {
        SafeTensorsData.RequireLittleEndian();
        Span<byte> len = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)plan.Header.Length);
        s.Write(len);
        s.Write(plan.Header);
        foreach (var p in plan.Tensors) SafeTensorsData.Write(s, p.Tensor);
    }

    // ---- reading ----

    /// <summary>Reads a safetensors file; errors name the file.</summary>
    public static StateDict Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return LoadCore(fs, fs.Length, $"file '{path}'");
    }

    /// <summary>
    /// Reads safetensors data from <paramref name="stream"/>'s current position to its end. A non-seekable stream is
    /// first copied to memory (growing only as bytes really arrive). <paramref name="sourceName"/> names it in errors.
    /// </summary>
    public static StateDict Load(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName is null ? "stream" : $"'{sourceName}'";
        if (!stream.CanSeek)
        {
            var ms = new MemoryStream();
            stream.CopyTo(ms);
            ms.Position = 0;
            return LoadCore(ms, ms.Length, source);
        }
        return LoadCore(stream, stream.Length - stream.Position, source);
    }

    /// <summary>Reads safetensors data from a byte array.</summary>
    public static StateDict Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return LoadCore(new MemoryStream(bytes, writable: false), bytes.Length, "byte array");
    }

    private static StateDict LoadCore(Stream s, long available, string source)
    {
        SafeTensorsData.RequireLittleEndian();
        if (available < 8)
            throw SafeTensorsHeaderReader.Fail(source, $"{available} bytes is too short for the 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        ReadExactly(s, lenBytes, source, "header length");
        ulong n = SafeTensorsData.ReadLength(lenBytes);
        if (n > MaxHeaderBytes)
            throw SafeTensorsHeaderReader.Fail(source, $"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
        if ((long)n > available - 8)
            throw SafeTensorsHeaderReader.Fail(source, $"header length {n} exceeds the {available - 8} bytes after the length field (truncated or corrupt)");
        var headerBytes = new byte[n];
        ReadExactly(s, headerBytes, source, "header");
        var header = SafeTensorsHeaderReader.Parse(headerBytes, source);
        long dataLength = available - 8 - (long)n;
        if (header.DataLength > dataLength)
            throw SafeTensorsHeaderReader.Fail(source, $"tensors cover {header.DataLength} data bytes but only {dataLength} follow the header (truncated)");
        if (header.DataLength < dataLength)
            throw SafeTensorsHeaderReader.Fail(source, $"{dataLength - header.DataLength} bytes after the last tensor's data are not covered by any tensor (trailing garbage)");

        var state = new StateDict();
        foreach (var e in header.Entries) state[e.Name] = SafeTensorsData.Read(s, e, source);
        foreach (var (k, v) in header.Metadata) state.Values[k] = v;
        return state;
    }

    private static void ReadExactly(Stream s, Span<byte> dst, string source, string what)
    {
        try { s.ReadExactly(dst); }
        catch (EndOfStreamException e) { throw SafeTensorsHeaderReader.Fail(source, $"data ends inside the {what} (truncated)", e); }
    }
}
