// Reads PyTorch reference fixtures (JSON tensors {shape, dtype, data}) and compares tensors with a relative tolerance.
using System.Text.Json;

namespace Mtl.NN.Tests;

internal static class FixtureJson
{
    /// <summary>The parsed root of a committed fixture file under Fixtures/.</summary>
    public static JsonElement Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    /// <summary>A tensor from {shape, dtype, data}.</summary>
    public static Tensor Tensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = e.GetProperty("data");
        if (e.GetProperty("dtype").GetString() == "int32")
            return Mtl.Tensor.From(data.EnumerateArray().Select(v => v.GetInt32()).ToArray(), shape);
        return Mtl.Tensor.From(data.EnumerateArray().Select(v => v.GetSingle()).ToArray(), shape);
    }

    /// <summary>A state dict from {name: tensor}.</summary>
    public static StateDict State(JsonElement e)
    {
        var sd = new StateDict();
        foreach (var p in e.EnumerateObject()) sd[p.Name] = Tensor(p.Value);
        return sd;
    }

    /// <summary>Asserts equal shapes and |a − e| ≤ rtol·max(|e|, scale) element-wise, naming the quantity on failure.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what, double rtol = 1e-5)
    {
        Assert.True(ShapeUtil.SameShape(expected.Shape, actual.Shape), $"{what}: shape {actual.ShapeString}, expected {expected.ShapeString}");
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        double scale = e.Length == 0 ? 1 : Math.Max(1e-3, e.Max(Math.Abs));
        for (int i = 0; i < e.Length; i++)
            if (!(Math.Abs(a[i] - e[i]) <= rtol * Math.Max(Math.Abs(e[i]), scale)))
                Assert.Fail($"{what}[{i}]: got {a[i]:G9}, PyTorch {e[i]:G9}");
    }
}
