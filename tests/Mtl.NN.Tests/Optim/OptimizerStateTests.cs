// Optimiser state dicts: bit-identical resume mid-training, hyper-parameters restored, and validation before loading.
using Mtl.NN.Optim;

namespace Mtl.NN.Tests.Optim;

public class OptimizerStateTests
{
    public static TheoryData<string> Cases() => new(OptimFixture.CaseNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resume_after_two_steps_is_bit_identical(string name)
    {
        var c = OptimFixture.Case(name);
        var ps = OptimFixture.InitialParams(DType.Float32);
        var opt = OptimFixture.Build(c, ps);
        for (int k = 0; k < 2; k++) { OptimFixture.SetGrads(ps, k, c); opt.Step(); }
        var saved = opt.StateDict();
        var copies = ps.Select(p => Tensor.From(p.ToFloatArray(), p.ShapeArray).RequireGrad()).ToArray();
        for (int k = 2; k < 5; k++) { OptimFixture.SetGrads(ps, k, c); opt.Step(); }

        // A fresh optimiser with other default hyper-parameters: loading must restore the saved ones as well.
        var resumed = OptimFixture.Build(c, copies);
        foreach (var g in resumed.ParamGroups) g.Lr = 0.5;
        resumed.LoadStateDict(saved);
        Assert.Equal(opt.ParamGroups.Select(g => g.Options), resumed.ParamGroups.Select(g => g.Options));
        for (int k = 2; k < 5; k++) { OptimFixture.SetGrads(copies, k, c); resumed.Step(); }
        for (int i = 0; i < ps.Length; i++) Assert.Equal(ps[i].ToFloatArray(), copies[i].ToFloatArray());
    }

    [Fact]
    public void State_dict_names_buffers_by_parameter_index_in_group_order()
    {
        var c = OptimFixture.Case("adam_amsgrad_wd_groups");
        var ps = OptimFixture.InitialParams(DType.Float32);
        var opt = OptimFixture.Build(c, ps);
        OptimFixture.SetGrads(ps, 0, c);
        opt.Step();
        var sd = opt.StateDict();
        Assert.Equal(
            new[] { "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq" },
            sd.Keys);
        Assert.Equal("Adam", sd.Values["optimizer"]);
        Assert.Equal("2", sd.Values["param_groups"]);
        Assert.Equal("1", sd.Values["state.1.step"]);
        Assert.Equal("0.02", sd.Values["group.0.lr"]);
        Assert.Equal("0", sd.Values["group.1.weight_decay"]);
        Assert.Equal("0.8", sd.Values["group.1.beta1"]);
        Assert.Equal("true", sd.Values["group.1.amsgrad"]);
        // A snapshot, not a view: stepping on does not change it.
        var before = sd["state.0.exp_avg"].ToFloatArray();
        OptimFixture.SetGrads(ps, 1, c);
        opt.Step();
        Assert.Equal(before, sd["state.0.exp_avg"].ToFloatArray());
        Assert.NotEqual(before, opt.StateDict()["state.0.exp_avg"].ToFloatArray());
    }

    [Fact]
    public void Float64_state_loads_into_float32_optimizer()
    {
        var c = OptimFixture.Case("adam");
        var p64 = OptimFixture.InitialParams(DType.Float64);
        var o64 = OptimFixture.Build(c, p64);
        OptimFixture.SetGrads(p64, 0, c);
        o64.Step();
        var p32 = OptimFixture.InitialParams(DType.Float32);
        var o32 = OptimFixture.Build(c, p32);
        o32.LoadStateDict(o64.StateDict());
        var sd = o32.StateDict();
        Assert.Equal(DType.Float32, sd["state.0.exp_avg"].DType);
        OptimFixture.Close(o64.StateDict()["state.0.exp_avg"].ToDoubleArray(), sd["state.0.exp_avg"].ToDoubleArray(), 1e-6, 1e-3, "exp_avg");
    }

    private static (Optimizer Opt, Tensor[] Ps) SteppedAdam(bool amsgrad = false, int[]? firstShape = null)
    {
        var ps = new[] { Tensor.Ones(firstShape ?? [3, 4]).RequireGrad(), Tensor.Ones([4]).RequireGrad() };
        var opt = new Adam([new ParamGroup([ps[0]]), new ParamGroup([ps[1]]) { Lr = 0.1 }], new AdamOptions { Amsgrad = amsgrad });
        foreach (var p in ps) p.Grad = Tensor.Full(p.Shape, 0.5);
        opt.Step();
        return (opt, ps);
    }

    private static void AssertLoadFails(Optimizer target, StateDict sd, params string[] fragments)
    {
        var before = target.StateDict();
        var ex = Assert.Throws<ArgumentException>(() => target.LoadStateDict(sd));
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        var after = target.StateDict();
        Assert.Equal(before.Values, after.Values);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var k in before.Keys) Assert.Equal(before[k].ToDoubleArray(), after[k].ToDoubleArray());
        Assert.Equal(before.Values["group.0.lr"], target.ParamGroups[0].Lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Load_rejects_another_optimizer_type()
    {
        var (adam, _) = SteppedAdam();
        var sgd = new SGD([Tensor.Ones([2]).RequireGrad()]);
        var ex = Assert.Throws<ArgumentException>(() => sgd.LoadStateDict(adam.StateDict()));
        Assert.Contains("'Adam'", ex.Message);
        Assert.Contains("'SGD'", ex.Message);
    }

    [Fact]
    public void Load_rejects_group_and_parameter_count_mismatches()
    {
        var (src, _) = SteppedAdam();
        var oneGroup = new Adam([Tensor.Ones([3, 4]).RequireGrad(), Tensor.Ones([4]).RequireGrad()]);
        AssertLoadFails(oneGroup, src.StateDict(), "2 param groups", "has 1");
        var sd = src.StateDict();
        sd.Values["group.1.params"] = "3";
        var (target, _) = SteppedAdam();
        AssertLoadFails(target, sd, "param group 1 has 3 parameters in the state dict, 1 in this optimizer");
    }

    [Fact]
    public void Load_rejects_a_buffer_of_the_wrong_shape_naming_key_and_shapes()
    {
        var (src, _) = SteppedAdam();
        var (target, _) = SteppedAdam(firstShape: [4, 3]);
        AssertLoadFails(target, src.StateDict(), "'state.0.exp_avg' has shape (3, 4), parameter 0 has (4, 3)", "state.0.exp_avg_sq");
    }

    [Fact]
    public void Load_rejects_missing_unexpected_and_malformed_entries()
    {
        var (src, _) = SteppedAdam();
        var (target, _) = SteppedAdam();

        var missing = src.StateDict();
        missing.Remove("state.1.exp_avg_sq");
        AssertLoadFails(target, missing, "missing tensor 'state.1.exp_avg_sq'");

        var extra = src.StateDict();
        extra["state.0.max_exp_avg_sq"] = Tensor.Zeros([3, 4]);
        AssertLoadFails(target, extra, "unexpected tensor 'state.0.max_exp_avg_sq'", "exp_avg, exp_avg_sq");

        var orphan = src.StateDict();
        orphan["state.7.exp_avg"] = Tensor.Zeros([4]);
        AssertLoadFails(target, orphan, "there is no parameter 7");

        var badValue = src.StateDict();
        badValue.Values["group.0.lr"] = "-1";
        badValue.Values["group.1.beta2"] = "abc";
        badValue.Values["state.0.step"] = "0";
        badValue.Values["bogus"] = "1";
        AssertLoadFails(target, badValue, "param group 0: invalid learning rate: -1", "'group.1.beta2' = 'abc' is not a number",
            "'state.0.step' = '0'", "unexpected value 'bogus'");

        var noOption = src.StateDict();
        noOption.Values.Remove("group.0.eps");
        AssertLoadFails(target, noOption, "missing value 'group.0.eps'");
    }

    [Fact]
    public void Load_follows_the_saved_options_for_which_buffers_exist()
    {
        // Saved with AMSGrad: a target made without it takes AMSGrad from the state dict, with its extra buffer.
        var (src, _) = SteppedAdam(amsgrad: true);
        var (target, ps) = SteppedAdam(amsgrad: false);
        target.LoadStateDict(src.StateDict());
        Assert.True(((AdamOptions)target.ParamGroups[0].Options).Amsgrad);
        Assert.Contains("state.0.max_exp_avg_sq", target.StateDict().Keys);
        foreach (var p in ps) p.Grad = Tensor.Full(p.Shape, 0.25);
        target.Step();
        Assert.Equal("2", target.StateDict().Values["state.0.step"]);
    }

    [Fact]
    public void Loading_a_fresh_state_clears_per_parameter_state()
    {
        var ps = new[] { Tensor.Ones([3]).RequireGrad() };
        var fresh = new SGD(ps, new SGDOptions { Momentum = 0.9 }).StateDict();
        var opt = new SGD(ps, new SGDOptions { Momentum = 0.9, Lr = 0.1 });
        ps[0].Grad = Tensor.Ones([3]);
        opt.Step();
        opt.LoadStateDict(fresh);
        Assert.Empty(opt.StateDict().Keys);
        Assert.Equal(1e-3, opt.ParamGroups[0].Lr);
        // The next step is a first step again: the momentum buffer restarts as the gradient.
        var before = ps[0].ToFloatArray();
        opt.Step();
        Assert.Equal(before.Select(x => x - 1e-3f).ToArray(), ps[0].ToFloatArray());
    }
}
