// Safetensors round trips (all dtypes, 0-d and empty tensors, metadata, unicode) and the reference library's exact bytes.
using System.Text;
using Mtl.Storage;
using Mtl.NN.Serialization;
using static Mtl.NN.Tests.Serialization.SerializationTestUtil;

namespace Mtl.NN.Tests.Serialization;

public class SafeTensorsRoundTripTests
{
    private static StateDict Sample()
    {
        var g = new Generator(7);
        var sd = new StateDict();
        sd["trunk.0.weight"] = Tensor.RandN([5, 6], g);
        sd["trunk.0.bias"] = Tensor.From([float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, BitConverter.Int32BitsToSingle(0x7FA00001)]);
        sd["heads.task_a.weight"] = Tensor.RandN([3, 2, 2], g, dtype: DType.Float64);
        sd["labels"] = Tensor.From([int.MinValue, -1, 0, 1, int.MaxValue]);
        sd["scalar.f32"] = Tensor.Scalar(2.5);
        sd["scalar.f64"] = Tensor.Scalar(Math.E, DType.Float64);
        sd["scalar.i32"] = Tensor.Scalar(-42, DType.Int32);
        sd["empty.f32"] = Tensor.Zeros([0, 3]);
        sd["empty.f64"] = Tensor.Zeros([3, 0, 2], DType.Float64);
        sd["empty.i32"] = Tensor.Zeros([0], DType.Int32);
        sd["ünïcode.名前.😀"] = Tensor.From([1f, 2f]);
        sd["ctl\u0001\"quote\"\\back\nnl\ttab/"] = Tensor.From([3f]);
        sd.Values["format"] = "pt";
        sd.Values["note"] = "naïve \"quoted\"\n\t\u0001 名前 😀";
        sd.Values[""] = "empty key";
        sd.Values["lr"] = 0.001.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return sd;
    }

    [Fact]
    public void Bytes_round_trip_every_dtype_shape_and_metadata_bit_exactly()
    {
        var sd = Sample();
        var bytes = SafeTensors.Serialize(sd);
        AssertStateEqual(sd, SafeTensors.Load(bytes));
        Assert.Equal(bytes, SafeTensors.Serialize(SafeTensors.Load(bytes))); // stable under re-writing
    }

    [Fact]
    public void File_and_stream_overloads_agree()
    {
        var sd = Sample();
        using var dir = new TempDir();
        string path = dir.File("w.safetensors");
        SafeTensors.Save(path, sd);
        Assert.Equal(SafeTensors.Serialize(sd), File.ReadAllBytes(path));
        AssertStateEqual(sd, SafeTensors.Load(path));

        var ms = new MemoryStream();
        ms.Write("prefix"u8);
        SafeTensors.Save(ms, sd);
        ms.Position = 6; // reads from the current position to the end
        AssertStateEqual(sd, SafeTensors.Load(ms, "mem"));
        AssertStateEqual(sd, SafeTensors.Load(new NonSeekable(SafeTensors.Serialize(sd))));
        Assert.Equal(new[] { "w.safetensors" }, dir.Files());
    }

    [Fact]
    public void Loaded_tensors_outlive_a_tensor_scope_and_views_save_as_their_values()
    {
        var w = Tensor.Arange(12).Reshape(3, 4);
        var sd = new StateDict();
        sd["t"] = w.Transpose(0, 1); // non-contiguous (4, 3)
        sd["s"] = w.Slice(1, 1, 3);  // column slice (3, 2)
        StateDict loaded;
        using (TensorScope.Begin()) loaded = SafeTensors.Load(SafeTensors.Serialize(sd));
        AssertBitEqual(sd["t"].Contiguous(), loaded["t"]);
        AssertBitEqual(sd["s"].Contiguous(), loaded["s"]);
        Assert.True(loaded["t"].IsContiguous);
    }

    [Fact]
    public void Large_tensor_crosses_the_io_chunk_boundary()
    {
        var sd = new StateDict();
        sd["big"] = Tensor.RandN([700_001], new Generator(1), dtype: DType.Float32); // 2.8 MB: three chunks
        sd["bigd"] = Tensor.RandN([140_001], new Generator(2), dtype: DType.Float64);
        AssertStateEqual(sd, SafeTensors.Load(SafeTensors.Serialize(sd)));
    }

    [Fact]
    public void Empty_state_dict_is_an_empty_padded_header()
    {
        var bytes = SafeTensors.Serialize(new StateDict());
        Assert.Equal(Raw("{}      "), bytes);
        var back = SafeTensors.Load(bytes);
        Assert.Equal(0, back.Count);
        Assert.Empty(back.Values);
    }

    // Byte strings the reference library's own test-suite asserts for the same inputs.
    [Fact]
    public void Matches_reference_library_bytes_for_its_documented_examples()
    {
        var sd = new StateDict();
        sd["test"] = Tensor.Zeros([2, 2], DType.Int32);
        Assert.Equal(Raw("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}    ", new byte[16]), SafeTensors.Serialize(sd));

        var withMeta = new StateDict();
        withMeta["test1"] = Tensor.Zeros([2, 2], DType.Int32);
        withMeta.Values["framework"] = "pt";
        Assert.Equal(Raw("{\"__metadata__\":{\"framework\":\"pt\"},\"test1\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}} ", new byte[16]),
            SafeTensors.Serialize(withMeta));

        // The library reads unpadded headers and packs I32 before F16.
        var unpadded = SafeTensors.Load(Raw("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]));
        AssertBitEqual(Tensor.Zeros([2, 2], DType.Int32), unpadded["test"]);
        var mixed = SafeTensors.Load(Raw("{\"test1\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"test2\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[16,24]}}      ", new byte[24]));
        AssertBitEqual(Tensor.Zeros([2, 2]), mixed["test2"]);
    }

    [Fact]
    public void Writes_in_library_order_dtype_descending_then_name_by_utf8_bytes()
    {
        var sd = new StateDict();
        sd["b_i32"] = Tensor.Zeros([1], DType.Int32);
        sd["z.\U0001F600"] = Tensor.Zeros([1]); // UTF-16 D83D... sorts BEFORE U+FF21, UTF-8 F0... sorts AFTER EF...
        sd["z.\uFF21"] = Tensor.Zeros([1]);
        sd["a_f32"] = Tensor.Zeros([1]);
        sd["c_f64"] = Tensor.Zeros([1], DType.Float64);
        sd["a_i32"] = Tensor.Zeros([1], DType.Int32);
        var header = Encoding.UTF8.GetString(SafeTensors.Serialize(sd)[8..]);
        string[] order = ["c_f64", "a_f32", "z.\uFF21", "z.\U0001F600", "a_i32", "b_i32"];
        var positions = order.Select(n => header.IndexOf($"\"{n}\"", StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.OrderBy(p => p), positions);
        Assert.Equal(order, SafeTensors.Load(SafeTensors.Serialize(sd)).Keys); // loaded in offset order
    }

    [Fact]
    public void Reads_f16_bf16_i64_u8_i8_bool_with_documented_conversions()
    {
        // F16: 1.5, -0, 65504, smallest subnormal, inf; BF16: 1, -3.140625; I64: -5, 2^31-1; U8: 0, 255; I8: -128, 127; BOOL: 0, 1, 2 (→1).
        byte[] data =
        [
            0x00, 0x3E, 0x00, 0x80, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x7C,
            0x80, 0x3F, 0x49, 0xC0,
            0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0,
            0, 255, 0x80, 0x7F, 0, 1, 2,
        ];
        var sd = SafeTensors.Load(Raw(
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]}," +
            "\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[14,30]},\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]}," +
            "\"i\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[32,34]},\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[34,37]}}", data));
        AssertBitEqual(Tensor.From([1.5f, -0f, 65504f, (float)Math.Pow(2, -24), float.PositiveInfinity]), sd["h"]);
        AssertBitEqual(Tensor.From([1f, -3.140625f]), sd["b"]);
        AssertBitEqual(Tensor.From([-5, int.MaxValue]), sd["l"]);
        AssertBitEqual(Tensor.From([0, 255]), sd["u"]);
        AssertBitEqual(Tensor.From([-128, 127]), sd["i"]);
        AssertBitEqual(Tensor.From([0, 1, 1]), sd["m"]);
    }

    [Fact]
    public void I64_outside_int32_and_unsupported_dtypes_name_the_tensor()
    {
        var big = BitConverter.GetBytes(1L << 31);
        string m = LoadError(Raw("{\"trunk.1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", big));
        Assert.Contains("'trunk.1.num_batches_tracked'", m);
        Assert.Contains("2147483648", m);
        Assert.Contains("byte array", m);
        m = LoadError(Raw("{\"w\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]));
        Assert.Contains("tensor 'w': dtype U16", m);
    }

    [Fact]
    public void Save_refuses_reserved_and_unencodable_names_before_writing()
    {
        using var dir = new TempDir();
        string path = dir.File("x.safetensors");
        var sd = new StateDict();
        sd["__metadata__"] = Tensor.Zeros([1]);
        Assert.Contains("__metadata__", Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, sd)).Message);
        var bad = new StateDict();
        bad["w\uD800"] = Tensor.Zeros([1]);
        Assert.Contains("surrogate", Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, bad)).Message);
        var badMeta = new StateDict();
        badMeta.Values["k"] = "\uDC00";
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize(badMeta));
        Assert.Empty(dir.Files());
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
