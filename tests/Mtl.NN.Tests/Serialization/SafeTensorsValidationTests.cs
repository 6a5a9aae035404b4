// Malformed safetensors headers and sizes: each is refused with SafeTensorsFormatException naming file, tensor and fault.
using System.Text;
using Mtl.NN.Serialization;
using static Mtl.NN.Tests.Serialization.SerializationTestUtil;

namespace Mtl.NN.Tests.Serialization;

public class SafeTensorsValidationTests
{
    private const string A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    [Theory]
    [InlineData("{\"trunk.0.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,100]}}", 100,
        "tensor 'trunk.0.weight': data_offsets [0, 100] span 100 bytes but shape (5, 6) F32 needs 120")]
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]")]
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20, "tensor 'b': data_offsets [12, 20] leave a gap of 4 bytes")]
    [InlineData("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "tensor 'b': data_offsets [8, 16] leave a gap of 8 bytes after offset 0")]
    [InlineData("{" + A8 + "}", 9, "1 bytes after the last tensor's data are not covered by any tensor")]
    [InlineData("{" + A8 + "}", 7, "tensors cover 8 data bytes but only 7 follow the header")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}", 8, "tensor 'w': shape (2147483647, 2147483647) has more than 2^31-1 elements")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,0],\"data_offsets\":[0,0]}}", 0, "more than 2^31-1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[0,65536,65536],\"data_offsets\":[0,0]}}", 0, "shape (0, 65536, 65536) is too large: its non-zero dimensions multiply to more than 2^31-1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}", 8, "tensor 'w': dimension 0 is 4294967296")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551615,2],\"data_offsets\":[0,8]}}", 8, "dimension 0 is 18446744073709551615")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}}", 8, "'shape' entry 18446744073709551616 is not a non-negative 64-bit integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "tensor 'w': 'shape' entry -1 is not a non-negative 64-bit integer")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-0],\"data_offsets\":[0,4]}}", 4, "'shape' entry -0 is not")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8, "'shape' entry 1.5 is not")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}}", 8, "'shape' entry 2e0 is not")]
    [InlineData("{\"w\":{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': unknown dtype 'F128'")]
    [InlineData("{\"w\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype 'f32'")]
    [InlineData("{\"w\":{\"dtype\":3,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': 'dtype' must be a string, found a number")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":\"x\",\"data_offsets\":[0,8]}}", 8, "'shape' must be an array of integers, found a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]}}", 8, "'shape' must hold integers, found an array")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "'data_offsets' must hold 2 integers [begin, end], found 1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8, "found 3")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", 8, "'data_offsets' must hold integers, found a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":null}}", 8, "'data_offsets' must be an array of integers, found null")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, "data_offsets [8, 0] end before they begin")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551615]}}", 8, "are beyond any file size")]
    [InlineData("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': missing 'dtype'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'w': missing 'shape'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'w': missing 'data_offsets'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8, "tensor 'w': unknown field 'extra'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': duplicate field 'dtype'")]
    [InlineData("{" + A8 + "," + A8 + "}", 8, "duplicate key 'a' in header")]
    [InlineData("{\"w\":7}", 0, "tensor 'w': entry must be an object, found a number")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "'__metadata__' value of 'k' must be a string, found a number")]
    [InlineData("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0, "duplicate key 'k' in '__metadata__'")]
    [InlineData("{\"__metadata__\":[]}", 0, "'__metadata__' must be an object of strings, found an array")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "duplicate key '__metadata__'")]
    [InlineData("[]", 0, "header does not start with '{'")]
    [InlineData(" {}", 0, "header does not start with '{'")]
    [InlineData("{\"a\":", 0, "header is not valid JSON")]
    [InlineData("{}x", 0, "non-space bytes after the JSON object")]
    [InlineData("{}\n", 0, "non-space bytes after the JSON object")]
    [InlineData("{} {}", 0, "non-space bytes after the JSON object")]
    [InlineData("{/*c*/}", 0, "header is not valid JSON")]
    [InlineData("{" + A8 + ",}", 8, "header is not valid JSON")]
    [InlineData("{\"\\ud800\":{}}", 0, "header is not valid JSON")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[8,9]}}", 9, "shape (3,) F4 is 12 bits, not a whole number of bytes")]
    [InlineData("{\"u\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "tensor 'u': dtype U64 is valid safetensors but Mtl cannot load it")]
    public void Malformed_header_is_refused_with_a_precise_message(string header, int dataBytes, string expected)
    {
        string m = LoadError(Raw(header, new byte[dataBytes]));
        Assert.StartsWith("safetensors byte array: ", m);
        Assert.Contains(expected, m);
    }

    [Theory]
    [InlineData(0UL, "header is empty")]
    [InlineData(100_000_001UL, "header length 100000001 exceeds the 100000000-byte limit")]
    [InlineData(ulong.MaxValue, "header length 18446744073709551615 exceeds the 100000000-byte limit")]
    [InlineData(0x8000_0000_0000_0000UL, "exceeds the 100000000-byte limit")]
    [InlineData(100_000_000UL, "header length 100000000 exceeds the 64 bytes after the length field")]
    [InlineData(65UL, "header length 65 exceeds the 64 bytes")]
    [InlineData(63UL, "non-space bytes after the JSON object")]
    [InlineData(55UL, "1 bytes after the last tensor's data are not covered")]
    [InlineData(57UL, "non-space bytes after the JSON object (at header byte 56)")]
    [InlineData(53UL, "header is not valid JSON")]
    public void Header_length_field_is_checked_against_the_real_size_before_allocating(ulong length, string expected)
    {
        var bytes = Raw("{" + A8 + "}  ", new byte[8], length); // 56-byte header + 8 data bytes
        Assert.Equal(64, bytes.Length - 8);
        Assert.Contains(expected, LoadError(bytes));
    }

    [Fact]
    public void Too_short_and_invalid_utf8_inputs_are_refused()
    {
        Assert.Contains("3 bytes is too short", LoadError([1, 2, 3]));
        Assert.Contains("0 bytes is too short", LoadError([]));
        var bad = Raw("{\"a\":{}}");
        bad[10] = 0xFF; // inside the name
        Assert.Contains("not valid UTF-8", LoadError(bad));
    }

    [Fact]
    public void File_errors_name_the_path_and_missing_files_stay_io_errors()
    {
        using var dir = new TempDir();
        string path = dir.File("broken.safetensors");
        File.WriteAllBytes(path, Raw("{\"trunk.0.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,100]}}", new byte[100]));
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.Equal($"safetensors file '{path}': tensor 'trunk.0.weight': data_offsets [0, 100] span 100 bytes but shape (5, 6) F32 needs 120", e.Message);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(dir.File("absent.safetensors")));
        var s = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(new MemoryStream([1, 2]), "upload.bin"));
        Assert.StartsWith("safetensors 'upload.bin': ", s.Message);
    }

    [Fact]
    public void Accepts_what_the_library_accepts_null_metadata_and_spaces_only_padding()
    {
        var sd = SafeTensors.Load(Raw("{\"__metadata__\":null," + A8 + "}" + new string(' ', 13), new byte[8]));
        Assert.Empty(sd.Values);
        Assert.Equal([2], sd["a"].Shape.ToArray());
        var empties = SafeTensors.Load(Raw("{\"e1\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]},\"e2\":{\"dtype\":\"I32\",\"shape\":[3,0],\"data_offsets\":[0,0]}}"));
        Assert.Equal(2, empties.Count);
        var escaped = SafeTensors.Load(Raw("{\"\\u0041\\n\\u00e9\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]));
        Assert.True(escaped.ContainsKey("A\né"));
    }
}
