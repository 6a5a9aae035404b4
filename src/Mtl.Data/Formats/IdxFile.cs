// IDX files (MNIST / Fashion-MNIST): unsigned-byte images (magic 2051) and labels (magic 2049), plain or gzip.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Mtl.Data;

/// <summary>The images of one IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Cols"/> bytes.</summary>
/// <param name="Path">The file read.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Cols">Image width.</param>
/// <param name="Pixels">Count × Rows × Cols bytes, row-major (0 = background).</param>
public sealed record IdxImages(string Path, int Count, int Rows, int Cols, byte[] Pixels)
{
    /// <summary>The pixels scaled to [0, 1] (byte / 255) as float32.</summary>
    public float[] ToFloats()
    {
        var r = new float[Pixels.Length];
        for (int i = 0; i < r.Length; i++) r[i] = Pixels[i] * (1f / 255f);
        return r;
    }
}

/// <summary>
/// Reads and writes the IDX format of LeCun's MNIST files: a big-endian header (magic number 0x00000803 = 2051 for
/// 3-dimensional unsigned-byte images, 0x00000801 = 2049 for 1-dimensional unsigned-byte labels, then one big-endian
/// int32 per dimension) followed by the bytes. Files may be gzip-compressed (detected by the 1f 8b header, whatever the
/// name). Malformed files raise <see cref="InvalidDataException"/> naming the file and what was expected.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Reads an images file (magic 2051).</summary>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenMaybeGzip(path);
        var header = ReadHeader(stream, path, ImagesMagic, 3);
        long bytes = (long)header[0] * header[1] * header[2];
        if (bytes > Array.MaxLength)
            throw new InvalidDataException($"{path}: header declares {header[0]} images of {header[1]}×{header[2]}, too large to load");
        var pixels = ReadPayload(stream, path, (int)bytes, $"{header[0]} images of {header[1]}×{header[2]} pixels");
        CheckGzipTrailer(path, 16 + bytes);
        return new IdxImages(path, header[0], header[1], header[2], pixels);
    }

    /// <summary>Reads a labels file (magic 2049).</summary>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenMaybeGzip(path);
        var header = ReadHeader(stream, path, LabelsMagic, 1);
        var labels = ReadPayload(stream, path, header[0], $"{header[0]} labels");
        CheckGzipTrailer(path, 8 + header[0]);
        return labels;
    }

    /// <summary>
    /// Reads an images file and its labels file into a dataset with input (1, Rows, Cols) in [0, 1] and one class task.
    /// At most <paramref name="limit"/> samples are kept (the first ones) when given.
    /// </summary>
    /// <exception cref="InvalidDataException">Malformed file, image/label count mismatch (both counts and files named) or a label outside [0, numClasses) (file, record and value named).</exception>
    public static InMemoryDataset LoadDataset(string imagesPath, string labelsPath, string task, int numClasses,
        IReadOnlyList<string>? classNames = null, int? limit = null)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"image/label count mismatch: {imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels");
        int n = limit is { } l ? Math.Clamp(l, 0, images.Count) : images.Count;
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = labels[i];
            if (y[i] >= numClasses)
                throw new InvalidDataException($"{labelsPath}: record {i} has label {y[i]}, outside task '{task}''s classes [0, {numClasses})");
        }
        int size = images.Rows * images.Cols;
        var x = new float[n * size];
        for (int i = 0; i < x.Length; i++) x[i] = images.Pixels[i] * (1f / 255f);
        return new InMemoryDataset([1, images.Rows, images.Cols], x, LabelColumn.Classes(task, numClasses, y, classNames: classNames));
    }

    /// <summary>Writes an images file (magic 2051), gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void WriteImages(string path, int rows, int cols, ReadOnlySpan<byte> pixels, bool gzip = true)
    {
        if (rows <= 0 || cols <= 0 || pixels.Length % (rows * cols) != 0)
            throw new ArgumentException($"IdxFile.WriteImages: {pixels.Length} bytes are not a whole number of {rows}×{cols} images");
        Write(path, ImagesMagic, [pixels.Length / (rows * cols), rows, cols], pixels, gzip);
    }

    /// <summary>Writes a labels file (magic 2049), gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip = true) =>
        Write(path, LabelsMagic, [labels.Length], labels, gzip);

    /// <summary>Bytes (header and payload) of an IDX file, uncompressed; for tests and tools.</summary>
    public static byte[] Encode(int magic, ReadOnlySpan<int> dims, ReadOnlySpan<byte> payload)
    {
        var r = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(r, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(4 + 4 * d), dims[d]);
        payload.CopyTo(r.AsSpan(4 + 4 * dims.Length));
        return r;
    }

    private static void Write(string path, int magic, int[] dims, ReadOnlySpan<byte> payload, bool gzip)
    {
        var bytes = Encode(magic, dims, payload);
        using var file = File.Create(path);
        if (!gzip) { file.Write(bytes); return; }
        using var z = new GZipStream(file, CompressionLevel.SmallestSize);
        z.Write(bytes);
    }

    /// <summary>
    /// Opens a file, decompressing it when it starts with the gzip signature 1f 8b; only gzip input comes back wrapped
    /// in a BufferedStream, which the error messages use to say "gzip".
    /// </summary>
    internal static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> sig = stackalloc byte[2];
        int got = file.ReadAtLeast(sig, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (got == 2 && sig[0] == 0x1f && sig[1] == 0x8b)
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        return file;
    }

    /// <summary>
    /// For a gzip file, checks the trailer's ISIZE (uncompressed length mod 2³², the file's last 4 bytes) against the
    /// header and data just read: GZipStream accepts a stream whose trailer was cut off, this catches it.
    /// </summary>
    private static void CheckGzipTrailer(string path, long expected)
    {
        using var file = File.OpenRead(path);
        Span<byte> b = stackalloc byte[4];
        if (file.Length < 2 || file.ReadAtLeast(b[..2], 2, false) < 2 || b[0] != 0x1f || b[1] != 0x8b) return;
        if (file.Length < 18)
            throw new InvalidDataException($"{path}: truncated gzip: {file.Length} bytes cannot hold a gzip header and trailer");
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(b);
        uint isize = BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (isize != (uint)expected)
            throw new InvalidDataException($"{path}: truncated or corrupt gzip: the trailer records {isize} uncompressed bytes but the IDX header and data take {expected}");
    }

    private static int[] ReadHeader(Stream s, string path, int magic, int dims)
    {
        int headerBytes = 4 + 4 * dims;
        var h = new byte[headerBytes];
        int got = ReadFully(s, h, path, "header");
        string kind = magic == ImagesMagic ? "IDX images (unsigned bytes, 3 dimensions)" : "IDX labels (unsigned bytes, 1 dimension)";
        if (got >= 4)
        {
            int found = BinaryPrimitives.ReadInt32BigEndian(h);
            if (found != magic)
                throw new InvalidDataException($"{path}: wrong magic number {found} (0x{found:X8}{Describe(found)}); expected {magic} (0x{magic:X8}, {kind})");
        }
        if (got < headerBytes)
            throw new InvalidDataException($"{path}: truncated{(s is BufferedStream ? " gzip" : "")} file: the header needs {headerBytes} bytes, found {got}");
        var r = new int[dims];
        for (int d = 0; d < dims; d++)
        {
            r[d] = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(4 + 4 * d));
            if (r[d] < 0) throw new InvalidDataException($"{path}: dimension {d} is negative ({r[d]})");
        }
        return r;
    }

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => ", an IDX images file",
        LabelsMagic => ", an IDX labels file",
        _ when (magic >> 16) == 0 && (magic >> 8 & 0xFF) is 0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E => $", an IDX file of type 0x{magic >> 8 & 0xFF:X2} with {magic & 0xFF} dimensions",
        _ => ", not an IDX header",
    };

    private static byte[] ReadPayload(Stream s, string path, int bytes, string what)
    {
        var data = GC.AllocateUninitializedArray<byte>(bytes);
        int got = ReadFully(s, data, path, what);
        if (got < bytes)
            throw new InvalidDataException($"{path}: truncated{(s is BufferedStream ? " gzip" : "")} file: the header declares {what} = {bytes} bytes after the header, found only {got}");
        return data;
    }

    private static int ReadFully(Stream s, byte[] buffer, string path, string what)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = s.Read(buffer, total, buffer.Length - total);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated gzip data while reading {what}: expected {buffer.Length} bytes, decompressed {total} before the error ({e.Message})", e);
        }
        return total;
    }
}
