// WeightTransfer: name maps, strict and lenient reports, dtype conversion, filters, checkpoint and plain files.
using Mtl.NN.Serialization;
using Mtl.NN.Transfer;

namespace Mtl.NN.Tests.Transfer;

public class WeightTransferTests
{
    // encoder.0.{weight,bias} (3→4), heads.a.{weight,bias} (4→2)
    private sealed class Target : Module<Tensor, Tensor>
    {
        public Target(int headOut = 2, int seed = 1)
        {
            var g = new Generator((ulong)seed);
            Encoder = RegisterModule("encoder", new Sequential(new Linear(3, 4, generator: g), new ReLU()));
            var heads = RegisterModule("heads", new ModuleDict<Linear>());
            heads.Add("a", new Linear(4, headOut, generator: g));
            Heads = heads;
        }

        public Sequential Encoder { get; }
        public ModuleDict<Linear> Heads { get; }
        public override Tensor Forward(Tensor x) => Heads["a"].Forward(Encoder.Forward(x));
    }

    // The same weights under PyTorch-style names: backbone.fc.*, head.*
    private static StateDict Source(int headOut = 2, DType dtype = DType.Float32)
    {
        var g = new Generator(99);
        var sd = new StateDict();
        void Add(string k, int[] shape) => sd[k] = dtype == DType.Float32 ? Tensor.RandN(shape, g) : Tensor.From(Tensor.RandN(shape, g).ToDoubleArray(), shape);
        Add("backbone.fc.weight", [4, 3]);
        Add("backbone.fc.bias", [4]);
        Add("head.weight", [headOut, 4]);
        Add("head.bias", [headOut]);
        return sd;
    }

    private static NameMap Map() => new NameMap()
        .Rename("backbone.fc.weight", "encoder.0.weight").Rename("backbone.fc.bias", "encoder.0.bias")
        .RewritePrefix("head.", "heads.a.");

    private static float[] Values(Module m, string name) => m.StateDict()[name].ToFloatArray();

    [Fact]
    public void Renames_and_prefix_rewrites_load_every_tensor()
    {
        var model = new Target();
        var src = Source();
        var report = WeightTransfer.Load(model, src, Map());
        Assert.True(report.IsExact);
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "heads.a.weight", "heads.a.bias"], report.Loaded.Select(l => l.Target));
        Assert.Equal("head.bias", report.Loaded[3].Source);
        Assert.Equal(src["backbone.fc.weight"].ToFloatArray(), Values(model, "encoder.0.weight"));
        Assert.Equal(src["head.bias"].ToFloatArray(), Values(model, "heads.a.bias"));
        Assert.Empty(report.Converted);
    }

    [Fact]
    public void The_longest_prefix_wins_and_ignored_sources_are_not_errors()
    {
        var map = new NameMap().RewritePrefix("a.", "x.").RewritePrefix("a.b.", "y.").Ignore("old.*");
        Assert.Equal("y.c", map.Map("a.b.c"));
        Assert.Equal("x.c", map.Map("a.c"));
        Assert.Equal("z", map.Map("z"));
        Assert.Null(map.Map("old.fc.weight"));

        var model = new Target();
        var src = Source();
        src["old.fc.weight"] = Tensor.Zeros([7]);
        var report = WeightTransfer.Load(model, src, Map().Ignore("old.*"));   // strict, yet no error
        Assert.Equal(4, report.Loaded.Count);
        Assert.Equal(new UnusedSource("old.fc.weight", null), Assert.Single(report.UnusedSources));
    }

    [Fact]
    public void Strict_mode_lists_every_problem_and_loads_nothing()
    {
        var model = new Target(headOut: 3);
        var before = Values(model, "encoder.0.weight");
        var src = Source(headOut: 2);
        src.Remove("backbone.fc.bias");
        src["extra.weight"] = Tensor.Zeros([2]);
        var e = Assert.Throws<TransferException>(() => WeightTransfer.Load(model, src, Map()));
        Assert.Contains("shape mismatch: 'heads.a.weight' (from 'head.weight'): source (2, 4), target (3, 4)", e.Message);
        Assert.Contains("shape mismatch: 'heads.a.bias' (from 'head.bias'): source (2,), target (3,)", e.Message);
        Assert.Contains("missing in source: target 'encoder.0.bias'", e.Message);
        Assert.Contains("no target for source 'extra.weight'", e.Message);
        Assert.Contains("nothing was loaded", e.Message);
        Assert.False(e.Report.Applied);
        Assert.Equal(before, Values(model, "encoder.0.weight"));
    }

    [Fact]
    public void Lenient_mode_loads_what_fits_and_reports_the_rest()
    {
        var model = new Target(headOut: 3);
        var headBefore = Values(model, "heads.a.weight");
        var src = Source(headOut: 2);
        src["extra.weight"] = Tensor.Zeros([2]);
        var report = WeightTransfer.Load(model, src, Map(), strict: false);
        Assert.Equal(["encoder.0.weight", "encoder.0.bias"], report.Loaded.Select(l => l.Target));
        Assert.Equal(src["backbone.fc.weight"].ToFloatArray(), Values(model, "encoder.0.weight"));
        Assert.Equal(headBefore, Values(model, "heads.a.weight"));
        Assert.Equal([new MismatchedTensor("heads.a.weight", "head.weight", "(2, 4)", "(3, 4)"), new MismatchedTensor("heads.a.bias", "head.bias", "(2,)", "(3,)")],
            report.Mismatched);
        Assert.Equal(new UnusedSource("extra.weight", "extra.weight"), Assert.Single(report.UnusedSources));
        Assert.False(report.IsExact);
        string table = report.ToString();
        Assert.Contains("2 loaded (0 converted), 2 mis-shaped, 0 missing, 0 excluded, 1 unused", table);
        Assert.Matches(@"MISMATCH\s+heads\.a\.weight\s+head\.weight\s+\(3, 4\)\s+source has \(2, 4\)", table);
        Assert.Matches(@"unused\s+extra\.weight\s+extra\.weight\s+no such target", table);
    }

    [Fact]
    public void Float64_sources_are_converted_and_reported()
    {
        var model = new Target();
        var src = Source(dtype: DType.Float64);
        var report = WeightTransfer.Load(model, src, Map());
        Assert.Equal(4, report.Converted.Count());
        Assert.All(report.Loaded, l => Assert.Equal((DType.Float64, DType.Float32), (l.SourceDType, l.TargetDType)));
        Assert.Equal(src["head.weight"].ToFloatArray(), Values(model, "heads.a.weight"));
        Assert.Equal(DType.Float32, model.StateDict()["heads.a.weight"].DType);
        Assert.Contains("Float64 -> Float32", report.ToString());
    }

    [Fact]
    public void An_int_source_for_a_float_target_is_a_mismatch()
    {
        var model = new Target();
        var src = Source();
        src["head.bias"] = Tensor.From(new[] { 1, 2 }, [2]);
        var report = WeightTransfer.Load(model, src, Map(), strict: false);
        var m = Assert.Single(report.Mismatched);
        Assert.Equal(("(2,) Int32", "(2,) Float32"), (m.SourceShape, m.TargetShape));
    }

    [Fact]
    public void The_only_filter_excludes_targets_and_their_sources()
    {
        var model = new Target();
        var headBefore = Values(model, "heads.a.weight");
        var report = WeightTransfer.Load(model, Source(), Map().Only("encoder.*"));   // strict: excluded is not a problem
        Assert.Equal(["encoder.0.weight", "encoder.0.bias"], report.Loaded.Select(l => l.Target));
        Assert.Equal(["heads.a.weight", "heads.a.bias"], report.Excluded);
        Assert.Equal(["head.weight", "head.bias"], report.UnusedSources.Select(u => u.Source));
        Assert.Equal(headBefore, Values(model, "heads.a.weight"));
    }

    [Fact]
    public void Two_sources_for_one_target_is_a_name_map_error()
    {
        var map = Map().Rename("head.weight", "encoder.0.weight");
        var e = Assert.Throws<ArgumentException>(() => WeightTransfer.Load(new Target(), Source(), map));
        Assert.Contains("both map to target 'encoder.0.weight'", e.Message);
    }

    [Fact]
    public void Preview_writes_nothing()
    {
        var model = new Target();
        var before = Values(model, "encoder.0.weight");
        var report = WeightTransfer.Preview(model, Source(), Map());
        Assert.False(report.Applied);
        Assert.Equal(4, report.Loaded.Count);
        Assert.Contains("(dry run)", report.ToString());
        Assert.Equal(before, Values(model, "encoder.0.weight"));
    }

    [Fact]
    public void Loads_the_model_part_of_a_checkpoint_and_a_plain_safetensors_file()
    {
        var dir = Directory.CreateTempSubdirectory("mtl-transfer-");
        try
        {
            var trained = new Target(seed: 7);
            var optimState = new StateDict();
            optimState["exp_avg.0"] = Tensor.Ones([4, 3]);
            var ckpt = Path.Combine(dir.FullName, "run.safetensors");
            var content = CheckpointContent.Capture(trained, step: 3);
            content.Components["optim"] = optimState;
            Checkpoint.Save(ckpt, content);
            var fresh = new Target(seed: 8);
            var report = WeightTransfer.LoadFile(fresh, ckpt);
            Assert.True(report.IsExact);
            Assert.Equal(4, report.Loaded.Count);   // model.* only; optim.* is not a source
            Assert.Equal(Values(trained, "heads.a.weight"), Values(fresh, "heads.a.weight"));

            var plain = Path.Combine(dir.FullName, "torch.safetensors");
            SafeTensors.Save(plain, Source());
            var other = new Target();
            WeightTransfer.LoadFile(other, plain, Map());
            Assert.Equal(Source()["head.weight"].ToFloatArray(), Values(other, "heads.a.weight"));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Buffers_transfer_too()
    {
        var a = new Sequential(new BatchNorm1d(3));
        var b = new Sequential(new BatchNorm1d(3));
        a.StateDict()["0.running_mean"].CopyFrom(new float[] { 1, 2, 3 });
        var report = WeightTransfer.Load(b, a.StateDict());
        Assert.Contains("0.running_mean", report.Loaded.Select(l => l.Target));
        Assert.Equal([1f, 2f, 3f], Values(b, "0.running_mean"));
    }
}
