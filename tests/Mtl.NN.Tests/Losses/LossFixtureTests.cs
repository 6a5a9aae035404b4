// PyTorch parity: every loss/option case in Fixtures/losses.json (from gen_losses.py) in float32, values and gradients.
using System.Text.Json;
using static Mtl.NN.Tests.LossTests.LossTestUtil;

namespace Mtl.NN.Tests.LossTests;

public class LossFixtureTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "losses.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string> CaseNames()
    {
        var d = new TheoryData<string>();
        foreach (var name in Cases.Value.Keys) d.Add(name);
        return d;
    }

    [Fact]
    public void Fixture_covers_every_loss()
    {
        var losses = Cases.Value.Values.Select(c => c.GetProperty("loss").GetString()).ToHashSet();
        string[] all = ["cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss", "l1_loss",
            "huber_loss", "smooth_l1_loss", "kl_div", "distillation_kl"];
        Assert.All(all, l => Assert.Contains(l, losses));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch(string name)
    {
        var c = Cases.Value[name];
        var tensors = c.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => Load(p.Value));
        var grads = c.GetProperty("grads").EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var g in grads) tensors[g].RequiresGrad = true;

        var output = Run(c.GetProperty("loss").GetString()!, c.GetProperty("options"), tensors);
        var expected = Load(c.GetProperty("output"));
        Assert.Equal(expected.ShapeString, output.ShapeString);
        Close(expected.ToDoubleArray(), output.ToDoubleArray(), 1e-5, 1e-6, $"{name} output");

        output.Mul(Load(c.GetProperty("proj"))).Sum().Backward();
        foreach (var g in c.GetProperty("grads").EnumerateObject())
            Close(Load(g.Value).ToDoubleArray(), tensors[g.Name].Grad!.ToDoubleArray(), 1e-5, 1e-6, $"{name} d/d{g.Name}");
    }

    private static Tensor Run(string loss, JsonElement o, Dictionary<string, Tensor> t)
    {
        Tensor x = t["input"], y = t["target"];
        Tensor? w = t.GetValueOrDefault("weight"), pw = t.GetValueOrDefault("pos_weight");
        Reduction R() => Enum.Parse<Reduction>(o.GetProperty("reduction").GetString()!);
        return loss switch
        {
            "cross_entropy" => Losses.CrossEntropy(x, y, w, o.GetProperty("ignoreIndex").GetInt32(), o.GetProperty("labelSmoothing").GetDouble(), R()),
            "nll_loss" => Losses.NllLoss(x, y, w, o.GetProperty("ignoreIndex").GetInt32(), R()),
            "binary_cross_entropy_with_logits" => Losses.BinaryCrossEntropyWithLogits(x, y, w, pw, R()),
            "binary_cross_entropy" => Losses.BinaryCrossEntropy(x, y, w, R()),
            "mse_loss" => Losses.Mse(x, y, R()),
            "l1_loss" => Losses.L1(x, y, R()),
            "huber_loss" => Losses.Huber(x, y, o.GetProperty("delta").GetDouble(), R()),
            "smooth_l1_loss" => Losses.SmoothL1(x, y, o.GetProperty("beta").GetDouble(), R()),
            "kl_div" => Losses.KlDivergence(x, y, Enum.Parse<KlReduction>(o.GetProperty("reduction").GetString()!), o.GetProperty("logTarget").GetBoolean()),
            "distillation_kl" => Losses.DistillationKl(x, y, o.GetProperty("temperature").GetDouble()),
            _ => throw new InvalidOperationException($"unknown loss {loss} in fixture"),
        };
    }

    private static Tensor Load(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = e.GetProperty("data");
        if (e.GetProperty("dtype").GetString() == "i32")
            return Tensor.From<int>(data.EnumerateArray().Select(v => v.GetInt32()).ToArray(), shape);
        return Tensor.From<float>(data.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), shape);
    }
}
