// Reads Fixtures/optim.json (written by gen_optim.py with PyTorch 1.13) and builds the optimisers its cases describe.
using System.Text.Json;
using Mtl.NN.Optim;

namespace Mtl.NN.Tests.Optim;

internal static class OptimFixture
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim.json"))).RootElement);

    public static JsonElement Json => Root.Value;

    public static JsonElement Case(string name) =>
        Json.GetProperty("optimizers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static IEnumerable<string> CaseNames() =>
        Json.GetProperty("optimizers").EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    public static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    /// <summary>Fresh parameter tensors with the fixture's initial values, in the given dtype.</summary>
    public static Tensor[] InitialParams(DType dtype)
    {
        var shapes = Json.GetProperty("shapes").EnumerateArray().Select(Ints).ToArray();
        var init = Json.GetProperty("init").EnumerateArray().Select(Doubles).ToArray();
        return shapes.Select((s, i) => Make(init[i], s, dtype).RequireGrad()).ToArray();
    }

    /// <summary>Sets each parameter's gradient to the fixture's gradient of step <paramref name="k"/> (null where skipped).</summary>
    public static void SetGrads(Tensor[] ps, int k, JsonElement c)
    {
        var skipped = c.GetProperty("skipped").EnumerateArray().Select(Ints).ToArray();
        var grads = Json.GetProperty("grads")[k].EnumerateArray().Select(Doubles).ToArray();
        for (int i = 0; i < ps.Length; i++)
            ps[i].Grad = skipped.Any(s => s[0] == k && s[1] == i) ? null : Make(grads[i], ps[i].ShapeArray, ps[i].DType);
    }

    /// <summary>Parameters expected after step <paramref name="k"/>.</summary>
    public static double[][] Expected(JsonElement c, int k) =>
        c.GetProperty("params_after_step")[k].EnumerateArray().Select(Doubles).ToArray();

    public static Tensor Make(double[] values, int[] shape, DType dtype) =>
        dtype == DType.Float32 ? Tensor.From(values.Select(v => (float)v).ToArray(), shape) : Tensor.From(values, shape);

    /// <summary>The optimiser of a fixture case over <paramref name="ps"/>.</summary>
    public static Optimizer Build(JsonElement c, Tensor[] ps)
    {
        var d = c.GetProperty("defaults");
        var groups = c.GetProperty("groups").EnumerateArray().Select(g =>
        {
            var o = g.GetProperty("overrides");
            return new ParamGroup(Ints(g.GetProperty("params")).Select(i => ps[i]))
            {
                Lr = Num(o, "Lr"), WeightDecay = Num(o, "WeightDecay"), Maximize = Flag(o, "Maximize"), Momentum = Num(o, "Momentum"),
                Dampening = Num(o, "Dampening"), Nesterov = Flag(o, "Nesterov"), Betas = Betas(o), Eps = Num(o, "Eps"),
                Amsgrad = Flag(o, "Amsgrad"), Alpha = Num(o, "Alpha"), Centered = Flag(o, "Centered"),
            };
        }).ToList();
        switch (c.GetProperty("optimizer").GetString())
        {
            case "SGD":
            {
                var o = new SGDOptions();
                return new SGD(groups, o with
                {
                    Lr = Num(d, "Lr") ?? o.Lr, WeightDecay = Num(d, "WeightDecay") ?? 0, Maximize = Flag(d, "Maximize") ?? false,
                    Momentum = Num(d, "Momentum") ?? 0, Dampening = Num(d, "Dampening") ?? 0, Nesterov = Flag(d, "Nesterov") ?? false,
                });
            }
            case "Adam":
            {
                var o = new AdamOptions();
                return new Adam(groups, o with
                {
                    Lr = Num(d, "Lr") ?? o.Lr, WeightDecay = Num(d, "WeightDecay") ?? 0, Maximize = Flag(d, "Maximize") ?? false,
                    Betas = Betas(d) ?? o.Betas, Eps = Num(d, "Eps") ?? o.Eps, Amsgrad = Flag(d, "Amsgrad") ?? false,
                });
            }
            case "AdamW":
            {
                var o = new AdamWOptions();
                return new AdamW(groups, o with
                {
                    Lr = Num(d, "Lr") ?? o.Lr, WeightDecay = Num(d, "WeightDecay") ?? o.WeightDecay, Maximize = Flag(d, "Maximize") ?? false,
                    Betas = Betas(d) ?? o.Betas, Eps = Num(d, "Eps") ?? o.Eps, Amsgrad = Flag(d, "Amsgrad") ?? false,
                });
            }
            case "RMSprop":
            {
                var o = new RMSpropOptions();
                return new RMSprop(groups, o with
                {
                    Lr = Num(d, "Lr") ?? o.Lr, WeightDecay = Num(d, "WeightDecay") ?? 0, Maximize = Flag(d, "Maximize") ?? false,
                    Alpha = Num(d, "Alpha") ?? o.Alpha, Eps = Num(d, "Eps") ?? o.Eps, Momentum = Num(d, "Momentum") ?? 0,
                    Centered = Flag(d, "Centered") ?? false,
                });
            }
            default: throw new InvalidOperationException("unknown optimizer in fixture");
        }
    }

    private static double? Num(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetDouble() : null;

    private static bool? Flag(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetBoolean() : null;

    private static (double, double)? Betas(JsonElement o) =>
        o.TryGetProperty("Betas", out var v) ? (v[0].GetDouble(), v[1].GetDouble()) : null;

    /// <summary>Asserts |actual − expected| ≤ rtol·max(|expected|, floor) element-wise.</summary>
    public static void Close(double[] expected, double[] actual, double rtol, double floor, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= rtol * Math.Max(Math.Abs(expected[i]), floor)))
                Assert.Fail($"{what}, element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
