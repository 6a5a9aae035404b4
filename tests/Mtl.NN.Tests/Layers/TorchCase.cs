// Loads one PyTorch reference case written by Fixtures/gen_rnn_attention.py and compares tensors against it.
using System.Text.Json;

namespace Mtl.NN.Tests;

/// <summary>
/// A fixture case: config, inputs, parameters (by state_dict name), outputs, projections R and gradients of
/// Σ output·R. Tensors are stored as {"shape", "data"} with float32 values written exactly as doubles.
/// </summary>
internal sealed class TorchCase
{
    private readonly JsonElement _root;

    private TorchCase(JsonElement root) => _root = root;

    public static TorchCase Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "rnn_attention", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new TorchCase(doc.RootElement.Clone());
    }

    public JsonElement Config => _root.GetProperty("config");

    public int Int(string key) => Config.GetProperty(key).GetInt32();
    public bool Bool(string key) => Config.GetProperty(key).GetBoolean();
    public string Str(string key) => Config.GetProperty(key).GetString()!;

    /// <summary>Names of the tensors in a section ("inputs", "params", "outputs", "projections", "grads").</summary>
    public IEnumerable<string> Names(string section) => _root.GetProperty(section).EnumerateObject().Select(p => p.Name);

    public bool Has(string section, string name) => _root.GetProperty(section).TryGetProperty(name, out _);

    /// <summary>A stored tensor as float32 (or float64).</summary>
    public Tensor Get(string section, string name, DType dtype = DType.Float32) => Decode(_root.GetProperty(section).GetProperty(name), dtype);

    /// <summary>A top-level tensor entry (e.g. "attn_mask"), or null when it is JSON null.</summary>
    public Tensor? TopTensor(string key) =>
        _root.GetProperty(key).ValueKind == JsonValueKind.Null ? null : Decode(_root.GetProperty(key), DType.Float32);

    /// <summary>All parameters as a state dict, for LoadStateDict.</summary>
    public StateDict Params()
    {
        var sd = new StateDict();
        foreach (var n in Names("params")) sd[n] = Get("params", n);
        return sd;
    }

    public int[]? Lengths() =>
        _root.TryGetProperty("lengths", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;

    /// <summary>A boolean (B, S) key padding mask as an Int32 tensor (1 = ignore), or null.</summary>
    public Tensor? PaddingMask()
    {
        if (!_root.TryGetProperty("key_padding_mask", out var m) || m.ValueKind == JsonValueKind.Null) return null;
        var rows = m.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetBoolean() ? 1 : 0).ToArray()).ToArray();
        return Tensor.From(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);
    }

    private static Tensor Decode(JsonElement e, DType dtype)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return dtype == DType.Float64 ? Tensor.From(data, shape) : Tensor.From(data.Select(v => (float)v).ToArray(), shape);
    }

    /// <summary>Σ_k Σ outputs[k]·R_k with this case's projections.</summary>
    public Tensor Loss(IReadOnlyDictionary<string, Tensor> outputs)
    {
        Tensor? loss = null;
        foreach (var (k, v) in outputs)
        {
            var term = v.Mul(Get("projections", k, v.DType)).Sum();
            loss = loss is null ? term : loss.Add(term);
        }
        return loss!;
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, with matching shapes.</summary>
    public static void AssertClose(Tensor expected, Tensor? actual, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.NotNull(actual);
        Assert.True(ShapeUtil.SameShape(expected.Shape, actual!.Shape), $"{what}: shape {actual.ShapeString}, expected {expected.ShapeString}");
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            if (!(Math.Abs(a[i] - e[i]) <= atol + rtol * Math.Abs(e[i])))
                Assert.Fail($"{what}: element {i} is {a[i]:G9}, expected {e[i]:G9}");
    }
}
