// Training checkpoints: round trip, exact resume of RNG streams, validation on load, all-or-nothing restore.
using System.Globalization;
using Mtl.NN.Serialization;
using static Mtl.NN.Tests.Serialization.SerializationTestUtil;

namespace Mtl.NN.Tests.Serialization;

public class CheckpointTests
{
    private sealed class Lin : Module
    {
        public Lin(int inF, int outF)
        {
            Weight = RegisterParameter("weight", Tensor.Zeros([outF, inF]))!;
            Bias = RegisterParameter("bias", Tensor.Zeros([outF]))!;
        }

        public Tensor Weight { get; }
        public Tensor Bias { get; }

        protected override void ResetOwnParameters(Generator g)
        {
            Init.Uniform(Weight, -1, 1, g);
            Init.Uniform(Bias, -1, 1, g);
        }
    }

    private sealed class Holder : Module
    {
        public Holder(string name, Module child) => RegisterModule(name, child);
    }

    private sealed class Net : Module
    {
        public Net(int hidden = 4)
        {
            Trunk = new Lin(3, hidden);
            RegisterModule("trunk", new Holder("0", Trunk));
            RegisterModule("heads", new Holder("task_a", new Lin(hidden, 2)));
            RegisterBuffer("steps", Tensor.Zeros([1], DType.Int32));
        }

        public Lin Trunk { get; }
    }

    /// <summary>An optimiser-like component: a velocity per parameter, a step count and a learning rate.</summary>
    private sealed class Momentum(int n) : IStateful
    {
        public Tensor Velocity { get; } = Tensor.Zeros([n]);
        public long Steps { get; set; }
        public double Lr { get; set; } = 0.1;

        public StateDict StateDict()
        {
            var sd = new StateDict { ["velocity"] = Velocity };
            sd.Values["step"] = Steps.ToString(CultureInfo.InvariantCulture);
            sd.Values["lr"] = Lr.ToString("R", CultureInfo.InvariantCulture);
            return sd;
        }

        public void LoadStateDict(StateDict state)
        {
            if (!state.TryGetValue("velocity", out var v) || !v.Shape.SequenceEqual(Velocity.Shape))
                throw new ArgumentException($"Momentum: velocity missing or of the wrong shape");
            long steps = long.Parse(state.Values["step"], CultureInfo.InvariantCulture);
            double lr = double.Parse(state.Values["lr"], CultureInfo.InvariantCulture);
            Velocity.CopyFrom(v);
            (Steps, Lr) = (steps, lr);
        }
    }

    /// <summary>A component that refuses any state whose "kind" is not its own (to test rollback).</summary>
    private sealed class Picky : IStateful
    {
        public string Kind { get; private set; } = "picky";

        public StateDict StateDict()
        {
            var sd = new StateDict();
            sd.Values["kind"] = Kind;
            return sd;
        }

        public void LoadStateDict(StateDict state)
        {
            if (state.Values.GetValueOrDefault("kind") != "picky") throw new ArgumentException($"Picky: refuses kind '{state.Values.GetValueOrDefault("kind")}'");
            Kind = state.Values["kind"];
        }
    }

    private sealed record Run(Net Model, Momentum Optim, Momentum Sched, Generator Data, Generator Dropout)
    {
        public Dictionary<string, IStateful> Components => new() { ["optim"] = Optim, ["sched"] = Sched };
        public Dictionary<string, Generator> Generators => new() { ["data"] = Data, ["dropout"] = Dropout };
    }

    private static Run MakeRun(ulong seed)
    {
        var net = new Net();
        net.ResetParameters(new Generator(seed));
        var g = new Generator(seed + 100);
        var optim = new Momentum(5) { Steps = (long)seed * 10, Lr = 0.01 * seed };
        Init.Normal(optim.Velocity, 0, 1, g);
        var sched = new Momentum(1) { Steps = (long)seed, Lr = 1.0 / 3 };
        var data = new Generator(seed + 1);
        var dropout = new Generator(seed + 2);
        data.NextUInt64();
        return new Run(net, optim, sched, data, dropout);
    }

    private static void AssertSameRun(Run a, Run b)
    {
        AssertStateEqual(a.Model.StateDict(), b.Model.StateDict());
        AssertStateEqual(a.Optim.StateDict(), b.Optim.StateDict());
        AssertStateEqual(a.Sched.StateDict(), b.Sched.StateDict());
        Assert.Equal(a.Data.GetState(), b.Data.GetState());
        Assert.Equal(a.Dropout.GetState(), b.Dropout.GetState());
    }

    private static string SaveRun(TempDir dir, Run run, string name = "ck.safetensors", long step = 1234, int epoch = 5)
    {
        string path = dir.File(name);
        Checkpoint.Save(path, CheckpointContent.Capture(run.Model, run.Components, run.Generators, step, epoch, "{\"lr\":0.01,\"tasks\":[\"a\"]}"));
        return path;
    }

    [Fact]
    public void Save_load_round_trips_every_part_in_one_file_with_documented_keys()
    {
        using var dir = new TempDir();
        var run = MakeRun(1);
        string path = SaveRun(dir, run);
        Assert.Equal(new[] { "ck.safetensors" }, dir.Files());

        var raw = SafeTensors.Load(path);
        Assert.Equal("mtl-checkpoint/1", raw.Values["mtl.format"]);
        Assert.Equal("1234", raw.Values["mtl.step"]);
        Assert.Equal("optim,sched", raw.Values["mtl.components"]);
        Assert.True(raw.ContainsKey("model.trunk.0.weight"));
        Assert.True(raw.ContainsKey("model.steps"));
        Assert.True(raw.ContainsKey("optim.velocity"));
        Assert.Equal("10", raw.Values["optim.step"]);
        Assert.Matches("^[0-9a-f]{16}(,[0-9a-f]{16}){3}$", raw.Values["mtl.rng.data"]);

        var c = Checkpoint.Load(path);
        Assert.Equal(1234, c.Step);
        Assert.Equal(5, c.Epoch);
        Assert.Equal("{\"lr\":0.01,\"tasks\":[\"a\"]}", c.ConfigJson);
        AssertStateEqual(run.Model.StateDict(), c.Model);
        AssertStateEqual(run.Optim.StateDict(), c.Components["optim"]);
        AssertStateEqual(run.Sched.StateDict(), c.Components["sched"]);
        Assert.Equal(run.Data.GetState(), c.Generators["data"]);
        Assert.Equal(run.Dropout.GetState(), c.Generators["dropout"]);
    }

    [Fact]
    public void Restore_reproduces_the_run_and_its_random_streams_exactly()
    {
        using var dir = new TempDir();
        var run = MakeRun(1);
        string path = SaveRun(dir, run);
        var other = MakeRun(2);
        var c = Checkpoint.Restore(path, other.Model, other.Components, other.Generators);
        Assert.Equal(1234, c.Step);
        AssertSameRun(run, other);
        for (int i = 0; i < 5; i++) Assert.Equal(run.Data.NextUInt64(), other.Data.NextUInt64());
        Assert.True(other.Model.Trunk.Weight.RequiresGrad);
    }

    [Fact]
    public void Empty_components_and_no_generators_survive()
    {
        using var dir = new TempDir();
        var content = new CheckpointContent { Step = 0, Epoch = 0 };
        content.Components["sched"] = new StateDict();
        string path = dir.File("e.safetensors");
        Checkpoint.Save(path, content);
        var back = Checkpoint.Load(path);
        Assert.Equal(new[] { "sched" }, back.Components.Keys);
        Assert.Empty(back.Generators);
        Assert.Equal(0, back.Model.Count);
    }

    public static TheoryData<string, string?, string> BadMetadata => new()
    {
        { "mtl.format", null, "not an Mtl checkpoint (metadata key 'mtl.format' is missing)" },
        { "mtl.format", "mtl-checkpoint/2", "unsupported checkpoint version 'mtl-checkpoint/2' (this build reads mtl-checkpoint/1)" },
        { "mtl.format", "pt", "'mtl.format' is 'pt', not an Mtl checkpoint format" },
        { "mtl.step", null, "metadata key 'mtl.step' is missing" },
        { "mtl.step", "-5", "'mtl.step' = '-5' is not a non-negative integer" },
        { "mtl.step", "12.5", "'mtl.step' = '12.5' is not a non-negative integer" },
        { "mtl.step", " 12", "is not a non-negative integer" },
        { "mtl.epoch", "4294967296", "'mtl.epoch' = '4294967296' is not a non-negative int32" },
        { "mtl.config", "{oops", "'mtl.config' is not a valid JSON document" },
        { "mtl.components", null, "metadata key 'mtl.components' is missing" },
        { "mtl.components", "optim", "key 'sched.lr' belongs to neither the model nor a listed component (components: optim)" },
        { "mtl.components", "optim,sched,optim", "component 'optim' is listed twice" },
        { "mtl.components", "optim,sched,model", "component name 'model' in 'mtl.components' is reserved" },
        { "mtl.components", "optim,sched,", "component name '' in 'mtl.components' is empty" },
        { "mtl.rng.data", "0000000000000000,0000000000000000,0000000000000000,0000000000000000", "generator 'data': state '0000000000000000,0000000000000000,0000000000000000,0000000000000000' is not 4 comma-separated 16-digit hex words, not all zero" },
        { "mtl.rng.data", "1,2,3,4", "generator 'data': state '1,2,3,4' is not" },
        { "mtl.rng.data", "000000000000000g,0000000000000001,0000000000000001,0000000000000001", "generator 'data'" },
        { "mtl.rng.data", "0000000000000001,0000000000000001,0000000000000001", "generator 'data'" },
        { "mtl.rng.a b", "0000000000000001,0000000000000001,0000000000000001,0000000000000001", "generator name 'a b' may only contain" },
        { "mtl.extra", "1", "unknown reserved metadata key 'mtl.extra'" },
        { "stray", "1", "metadata key 'stray' belongs to neither the model nor a listed component" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public void Load_rejects_invalid_content_naming_the_file(string key, string? value, string expected)
    {
        using var dir = new TempDir();
        var raw = SafeTensors.Load(SaveRun(dir, MakeRun(1)));
        if (value is null) raw.Values.Remove(key);
        else raw.Values[key] = value;
        string path = dir.File("bad.safetensors");
        SafeTensors.Save(path, raw);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
        Assert.StartsWith($"checkpoint '{path}': ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_rejects_tensors_outside_any_component_and_corrupt_files_stay_format_errors()
    {
        using var dir = new TempDir();
        var raw = SafeTensors.Load(SaveRun(dir, MakeRun(1)));
        raw["mtl.secret"] = Tensor.Zeros([1]);
        string path = dir.File("bad.safetensors");
        SafeTensors.Save(path, raw);
        Assert.Contains("tensor 'mtl.secret' belongs to neither", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path)).Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path));
    }

    [Fact]
    public void Restore_that_does_not_fit_lists_every_problem_and_changes_nothing()
    {
        using var dir = new TempDir();
        string path = SaveRun(dir, MakeRun(1));
        var target = MakeRun(2);
        var wide = new Net(hidden: 5);
        wide.ResetParameters(new Generator(3));
        var before = DeepState(wide);
        var beforeRun = MakeRun(2);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Restore(path, wide, target.Components, target.Generators));
        Assert.StartsWith($"checkpoint '{path}' does not fit; nothing was restored:", e.Message);
        Assert.Contains("model: 'trunk.0.weight': checkpoint has shape (4, 3), model expects (5, 3)", e.Message);
        Assert.Contains("model: 'heads.task_a.weight'", e.Message);
        AssertStateEqual(before, wide.StateDict());
        AssertSameRun(beforeRun, target);

        var comps = target.Components;
        comps["ema"] = new Momentum(5);
        e = Assert.Throws<CheckpointException>(() => Checkpoint.Restore(path, target.Model, comps, new Dictionary<string, Generator> { ["data"] = target.Data, ["init"] = new Generator(1) }));
        Assert.Contains("component 'ema': not in the checkpoint", e.Message);
        Assert.Contains("generator 'init': not in the checkpoint", e.Message);
        Assert.Contains("generator 'dropout': in the checkpoint but nothing to restore it into", e.Message);
        AssertSameRun(beforeRun, target);

        // Not strict: extras in the checkpoint are ignored, but what is asked for must be there.
        Checkpoint.Restore(path, target.Model, new Dictionary<string, IStateful> { ["optim"] = target.Optim }, new Dictionary<string, Generator> { ["data"] = target.Data }, strict: false);
        var reference = MakeRun(1);
        AssertStateEqual(reference.Model.StateDict(), target.Model.StateDict());
        AssertStateEqual(reference.Optim.StateDict(), target.Optim.StateDict());
        Assert.Equal(reference.Data.GetState(), target.Data.GetState());
        AssertStateEqual(beforeRun.Sched.StateDict(), target.Sched.StateDict());
    }

    [Fact]
    public void Component_that_refuses_its_state_rolls_back_everything_already_restored()
    {
        var source = MakeRun(1);
        var content = CheckpointContent.Capture(source.Model, source.Components, source.Generators, 10, 1);
        var pickyState = new StateDict();
        pickyState.Values["kind"] = "other";
        content.Components["picky"] = pickyState;

        var target = MakeRun(2);
        var before = MakeRun(2);
        var comps = target.Components;
        comps["picky"] = new Picky();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Restore(content, target.Model, comps, target.Generators, sourceName: "'mem'"));
        Assert.Equal("checkpoint 'mem': restoring component 'picky' failed: Picky: refuses kind 'other'; everything restored before it was rolled back", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
        AssertSameRun(before, target);
    }

    [Fact]
    public void Save_refuses_invalid_content_before_touching_the_file()
    {
        using var dir = new TempDir();
        string path = SaveRun(dir, MakeRun(1));
        var old = File.ReadAllBytes(path);
        var c = CheckpointContent.Capture(MakeRun(2).Model);
        c.Components["opt.im"] = new StateDict();
        Assert.Contains("component name 'opt.im' may only contain", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, c)).Message);
        c.Components.Clear();
        c.Components["model"] = new StateDict();
        Assert.Contains("is reserved", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, c)).Message);
        c.Components.Clear();
        c.Generators["g"] = new ulong[4];
        Assert.Contains("not all zero", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, c)).Message);
        c.Generators.Clear();
        c.Step = -1;
        Assert.Contains("step must be non-negative", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, c)).Message);
        c.Step = 0;
        c.ConfigJson = "{";
        Assert.Contains("ConfigJson", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, c)).Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "ck.safetensors" }, dir.Files());
    }

    private static StateDict DeepState(Module m)
    {
        var r = new StateDict();
        foreach (var (k, t) in m.StateDict().Tensors) r[k] = t.Detach().Clone();
        return r;
    }
}
