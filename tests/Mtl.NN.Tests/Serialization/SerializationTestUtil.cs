// Helpers for the serialization tests: fixture paths, hand-built safetensors bytes, bitwise tensor checks, temp dirs.
using System.Buffers.Binary;
using System.Text;
using Mtl.NN.Serialization;

namespace Mtl.NN.Tests.Serialization;

internal static class SerializationTestUtil
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A safetensors file from a raw header string and data bytes (header length = header bytes unless given).</summary>
    public static byte[] Raw(string header, byte[]? data = null, ulong? lengthField = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        data ??= [];
        var r = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(r, lengthField ?? (ulong)h.Length);
        h.CopyTo(r, 8);
        data.CopyTo(r, 8 + h.Length);
        return r;
    }

    /// <summary>Asserts same dtype, shape and bit-identical elements (NaN payloads and -0 included).</summary>
    public static void AssertBitEqual(Tensor expected, Tensor actual, string name = "")
    {
        Assert.True(expected.DType == actual.DType, $"{name}: dtype {actual.DType}, expected {expected.DType}");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{name}: shape {actual.ShapeString}, expected {expected.ShapeString}");
        switch (expected.DType)
        {
            case DType.Float32:
                Assert.Equal(expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits), actual.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
                break;
            case DType.Float64:
                Assert.Equal(expected.ToArray<double>().Select(BitConverter.DoubleToInt64Bits), actual.ToArray<double>().Select(BitConverter.DoubleToInt64Bits));
                break;
            default:
                Assert.Equal(expected.ToArray<int>(), actual.ToArray<int>());
                break;
        }
    }

    public static void AssertStateEqual(StateDict expected, StateDict actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (k, t) in expected.Tensors) AssertBitEqual(t, actual[k], k);
        Assert.Equal(expected.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    /// <summary>Loads bytes and returns the format exception's message (fails if it loads or throws anything else).</summary>
    public static string LoadError(byte[] bytes)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(bytes));
        return e.Message;
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(PathName = Path.Combine(Path.GetTempPath(), "mtl-ser-" + Guid.NewGuid().ToString("N")));

    public string PathName { get; }

    public string File(string name) => System.IO.Path.Combine(PathName, name);

    /// <summary>Names of all files in the directory (temp files included).</summary>
    public string[] Files() => Directory.GetFiles(PathName).Select(System.IO.Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(PathName, recursive: true); }
        catch (IOException) { }
    }
}
