// A PyTorch-written safetensors file (bench/reference/make_transfer_fixture.py) initialises the equivalent Mtl model.
using System.Text.Json;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Mtl.NN.Transfer;

namespace Mtl.MultiTask.Tests.Transfer;

public class TorchFixtureTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "transfer");
    private static readonly string File = Path.Combine(Dir, "torch_model.safetensors");

    // torch: backbone = Conv2d(1, 4, 3) ReLU Flatten Linear(64, 8) ReLU; head_a = Linear(8, 3); head_b = Linear(8, 2)
    private static HardSharing Model(int bOutputs = 2, bool extraTask = false)
    {
        var g = new Generator(11);
        var encoder = new Sequential(new Conv2d(1, 4, 3, generator: g), new ReLU(), new Flatten(), new Linear(64, 8, generator: g), new ReLU());
        TaskSpec[] tasks = [new("a", TaskKind.Classification, 3), new("b", TaskKind.Classification, bOutputs)];
        if (extraTask) tasks = [.. tasks, new TaskSpec("c", TaskKind.Regression, 1)];
        return new HardSharing(encoder, 8, tasks);
    }

    private static NameMap Map() => new NameMap()
        .RewritePrefix("backbone.conv.", "encoder.0.")
        .RewritePrefix("backbone.fc.", "encoder.3.")
        .RewritePrefix("head_a.", "heads.a.")
        .RewritePrefix("head_b.", "heads.b.");

    private static Tensor Read(JsonElement e) => Tensor.From(
        e.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
        e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());

    [Fact]
    public void A_torch_state_dict_loads_through_the_name_map_and_reproduces_torch_outputs()
    {
        var model = Model();
        var report = WeightTransfer.LoadFile(model, File, Map());
        Assert.True(report.IsExact, report.ToString());
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.3.weight", "encoder.3.bias", "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias"],
            report.Loaded.Select(l => l.Target));
        Assert.Equal(["backbone.conv.weight", "backbone.conv.bias", "backbone.fc.weight", "backbone.fc.bias", "head_a.weight", "head_a.bias", "head_b.weight", "head_b.bias"],
            report.Loaded.Select(l => l.Source));
        var converted = Assert.Single(report.Converted);   // the script stores head_b.bias as F64
        Assert.Equal(("heads.b.bias", DType.Float64, DType.Float32), (converted.Target, converted.SourceDType, converted.TargetDType));

        var fixture = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Dir, "torch_model.json"))).RootElement;
        model.Eval();
        var outputs = model.Forward(Read(fixture.GetProperty("input")));
        foreach (var task in new[] { "a", "b" })
        {
            var expected = Read(fixture.GetProperty("outputs").GetProperty(task)).ToFloatArray();
            var actual = outputs[task].ToFloatArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"task {task}[{i}]: Mtl {actual[i]:G9}, torch {expected[i]:G9}");
        }
    }

    [Fact]
    public void A_mis_shaped_head_and_a_new_task_are_reported_and_the_rest_loads()
    {
        var model = Model(bOutputs: 4, extraTask: true);
        var e = Assert.Throws<TransferException>(() => WeightTransfer.LoadFile(model, File, Map()));
        Assert.Equal(
        [
            "shape mismatch: 'heads.b.weight' (from 'head_b.weight'): source (2, 8), target (4, 8)",
            "shape mismatch: 'heads.b.bias' (from 'head_b.bias'): source (2,), target (4,)",
            "missing in source: target 'heads.c.weight'",
            "missing in source: target 'heads.c.bias'",
        ], e.Report.Problems());

        var report = WeightTransfer.LoadFile(model, File, Map(), strict: false);
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.3.weight", "encoder.3.bias", "heads.a.weight", "heads.a.bias"],
            report.Loaded.Select(l => l.Target));
        Assert.Equal(["heads.c.weight", "heads.c.bias"], report.MissingTargets);
        Assert.Empty(report.UnusedSources);
        string table = report.ToString();
        Assert.Matches(@"MISMATCH\s+heads\.b\.weight\s+head_b\.weight\s+\(4, 8\)\s+source has \(2, 8\)", table);
        Assert.Matches(@"missing\s+heads\.c\.bias\s+-\s+not in source; kept", table);
    }

    [Fact]
    public void Without_a_name_map_nothing_matches_and_every_name_is_reported()
    {
        var model = Model();
        var report = WeightTransfer.LoadFile(model, File, strict: false);
        Assert.Empty(report.Loaded);
        Assert.Equal(8, report.MissingTargets.Count);
        Assert.Equal(8, report.UnusedSources.Count);
        Assert.Contains(new UnusedSource("backbone.conv.weight", "backbone.conv.weight"), report.UnusedSources);
    }
}
