// PyTorch interop both ways through committed fixtures written and verified by Fixtures/gen_safetensors.py.
using System.Text.Json;
using Mtl.NN.Serialization;
using static Mtl.NN.Tests.Serialization.SerializationTestUtil;

namespace Mtl.NN.Tests.Serialization;

public class SafeTensorsInteropTests
{
    /// <summary>The state dict behind Fixtures/mtl_written.safetensors; gen_safetensors.py's MTL_EXPECTED mirrors it.</summary>
    internal static StateDict MtlStateDict()
    {
        var sd = new StateDict();
        sd["trunk.0.weight"] = Tensor.From(Enumerable.Range(0, 12).Select(i => (float)(i * 0.25 - 1.5)).ToArray(), 4, 3);
        sd["trunk.0.bias"] = Tensor.From([(float)(1.0 / 3.0), -0f, float.PositiveInfinity, float.NegativeInfinity]);
        sd["heads.task_a.weight"] = Tensor.From(Enumerable.Range(0, 8).Select(i => (float)((i - 3.5) / 7)).ToArray(), 2, 4);
        sd["heads.task_b.bias"] = Tensor.From([1.0 / 3.0, -2.5e-300]);
        sd["scalar.f64"] = Tensor.Scalar(Math.PI, DType.Float64);
        sd["labels"] = Tensor.From([-3, 0, 7, int.MaxValue, int.MinValue]);
        sd["step_count"] = Tensor.Scalar(42, DType.Int32);
        sd["empty"] = Tensor.Zeros([0, 3]);
        sd["ünïcode.名前.weight"] = Tensor.From([0.5f, -2f]);
        sd["z.\uFF21"] = Tensor.From([1f], 1);
        sd["z.\U0001F600"] = Tensor.From([2f], 1);
        sd.Values["format"] = "pt";
        sd.Values["epoch"] = "3";
        sd.Values["note"] = "naïve \"quoted\"\n\ttab\u0001 end";
        return sd;
    }

    [Fact]
    public void Mtl_writes_the_committed_pytorch_verified_bytes()
    {
        var bytes = SafeTensors.Serialize(MtlStateDict());
        if (Environment.GetEnvironmentVariable("MTL_REGEN_FIXTURES") is { Length: > 0 } dir)
            File.WriteAllBytes(Path.Combine(dir, "mtl_written.safetensors"), bytes);
        Assert.Equal(File.ReadAllBytes(Fixture("mtl_written.safetensors")), bytes);
        AssertStateEqual(MtlStateDict(), SafeTensors.Load(Fixture("mtl_written.safetensors")));
    }

    [Fact]
    public void Loads_a_file_written_from_pytorch_with_expected_values()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture("torch_written.json")));
        var sd = SafeTensors.Load(Fixture("torch_written.safetensors"));
        var tensors = doc.RootElement.GetProperty("tensors");
        Assert.Equal(tensors.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal), sd.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var p in tensors.EnumerateObject())
        {
            string dtype = p.Value.GetProperty("dtype").GetString()!;
            int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var values = p.Value.GetProperty("values").EnumerateArray().Select(Number).ToArray();
            var t = sd[p.Name];
            Tensor expected = dtype switch
            {
                "F32" or "F16" or "BF16" => Tensor.From(values.Select(v => (float)v).ToArray(), shape),
                "F64" => Tensor.From(values, shape),
                _ => Tensor.From(values.Select(v => checked((int)v)).ToArray(), shape),
            };
            AssertBitEqual(expected, t, p.Name);
        }
        Assert.Equal("pt", sd.Values["format"]);
        Assert.Single(sd.Values);
        // I64 scalar buffer as PyTorch's BatchNorm writes it, read as Int32.
        Assert.Equal(17, sd["trunk.1.num_batches_tracked"].Item());
        Assert.Equal(0, sd["trunk.1.num_batches_tracked"].Rank);
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "-0" => -0.0,
            var s => throw new FormatException($"unexpected value '{s}' in torch_written.json"),
        }
        : e.GetDouble();
}
