// Optimiser behaviour: param groups and overrides, null gradients, ZeroGrad, invalid hyper-parameters, no allocation.
using Mtl.NN.Optim;

namespace Mtl.NN.Tests.Optim;

public class OptimizerBehaviourTests
{
    private static Tensor P(params int[] shape) => Tensor.Ones(shape).RequireGrad();

    [Fact]
    public void Groups_take_defaults_and_their_own_overrides()
    {
        Tensor w = P(3, 4), b = P(4);
        var opt = new Adam([new ParamGroup([w]) { Lr = 1e-4, Betas = (0.8, 0.9) }, new ParamGroup([b])], new AdamOptions { Lr = 1e-3, WeightDecay = 0.1 });
        var g0 = (AdamOptions)opt.ParamGroups[0].Options;
        var g1 = (AdamOptions)opt.ParamGroups[1].Options;
        Assert.Equal((1e-4, (0.8, 0.9), 0.1), (g0.Lr, g0.Betas, g0.WeightDecay));
        Assert.Equal((1e-3, (0.9, 0.999), 0.1), (g1.Lr, g1.Betas, g1.WeightDecay));
        Assert.Same(b, opt.ParamGroups[1].Params[0]);
        Assert.Equal(2, opt.ParamCount);
        Assert.Equal(0.01, new AdamWOptions().WeightDecay);
        Assert.Equal(0.01, new RMSpropOptions().Lr);
    }

    [Fact]
    public void Setting_a_group_lr_changes_only_that_group()
    {
        Tensor w = P(2), b = P(2);
        var opt = new SGD([new ParamGroup([w]), new ParamGroup([b])], new SGDOptions { Lr = 0.1 });
        opt.ParamGroups[1].Lr = 0.5;
        w.Grad = Tensor.Ones([2]);
        b.Grad = Tensor.Ones([2]);
        opt.Step();
        Assert.Equal(new[] { 0.9f, 0.9f }, w.ToFloatArray());
        Assert.Equal(new[] { 0.5f, 0.5f }, b.ToFloatArray());
        Assert.Equal(0.1, opt.Defaults.Lr);
        var ex = Assert.Throws<ArgumentException>(() => opt.ParamGroups[0].Lr = -0.1);
        Assert.Contains("SGD", ex.Message);
        Assert.Contains("-0.1", ex.Message);
    }

    [Fact]
    public void Parameters_without_gradients_are_skipped_and_keep_their_own_step_count()
    {
        Tensor w = P(2, 2), b = P(2);
        var opt = new Adam([w, b], new AdamOptions { Lr = 0.1 });
        w.Grad = Tensor.Ones([2, 2]);
        opt.Step();
        Assert.Equal(Enumerable.Repeat(1f, 2), b.ToFloatArray());
        Assert.NotEqual(1f, w.ToFloatArray()[0]);
        Assert.DoesNotContain("state.1.exp_avg", opt.StateDict().Keys);
        b.Grad = Tensor.Ones([2]);
        opt.Step();
        var sd = opt.StateDict();
        Assert.Equal(("2", "1"), (sd.Values["state.0.step"], sd.Values["state.1.step"]));
        // Bias correction at step 1 makes Adam's first move exactly lr·g/(|g| + eps) ≈ lr.
        Assert.Equal(0.9f, b.ToFloatArray()[0], 1e-6f);
    }

    [Fact]
    public void ZeroGrad_zeroes_in_place_or_drops_gradients()
    {
        Tensor w = P(3), b = P(2);
        var opt = new SGD([w, b]);
        w.Grad = Tensor.Full([3], 2.0);
        var g = w.Grad;
        opt.ZeroGrad();
        Assert.Same(g, w.Grad);
        Assert.Equal(new float[3], w.Grad!.ToFloatArray());
        Assert.Null(b.Grad);
        opt.ZeroGrad(setToNone: true);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Step_bumps_parameter_versions_and_rejects_mismatched_gradients()
    {
        var w = P(2, 3);
        var opt = new SGD([w], new SGDOptions { Lr = 0.1 });
        int v0 = w.Storage.Version;
        w.Grad = Tensor.Ones([2, 3]);
        opt.Step();
        Assert.True(w.Storage.Version > v0);
        w.Grad = Tensor.Ones([3, 2]);
        var ex = Assert.Throws<InvalidOperationException>(() => opt.Step());
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
    }

    [Fact]
    public void A_strided_gradient_is_used_like_its_dense_copy()
    {
        Tensor a = P(3, 2), b = P(3, 2);
        var g = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        a.Grad = g.Transpose(0, 1);
        b.Grad = g.Transpose(0, 1).Contiguous();
        Assert.False(a.Grad.IsContiguous);
        new Adam([a]).Step();
        new Adam([b]).Step();
        Assert.Equal(b.ToFloatArray(), a.ToFloatArray());
    }

    [Fact]
    public void AddParamGroup_appends_a_group_with_defaults()
    {
        Tensor w = P(2), b = P(2);
        var opt = new SGD([w], new SGDOptions { Lr = 0.1, Momentum = 0.9 });
        opt.AddParamGroup(new ParamGroup([b]) { Lr = 0.01 });
        Assert.Equal(2, opt.ParamGroups.Count);
        Assert.Equal(0.9, ((SGDOptions)opt.ParamGroups[1].Options).Momentum);
        Assert.Throws<ArgumentException>(() => opt.AddParamGroup(new ParamGroup([w])));
    }

    public static TheoryData<string, Func<Optimizer>, string[]> InvalidCases()
    {
        Tensor[] ps = [P(2)];
        return new()
        {
            { "sgd lr", () => new SGD(ps, new SGDOptions { Lr = -1 }), ["SGD", "learning rate", "-1"] },
            { "sgd lr NaN", () => new SGD(ps, new SGDOptions { Lr = double.NaN }), ["SGD", "learning rate", "NaN"] },
            { "sgd momentum", () => new SGD(ps, new SGDOptions { Momentum = -0.5 }), ["SGD", "momentum", "-0.5"] },
            { "sgd weight decay", () => new SGD(ps, new SGDOptions { WeightDecay = -0.01 }), ["SGD", "weight_decay", "-0.01"] },
            { "sgd dampening", () => new SGD(ps, new SGDOptions { Momentum = 0.9, Dampening = 1.5 }), ["SGD", "dampening", "1.5"] },
            { "sgd nesterov without momentum", () => new SGD(ps, new SGDOptions { Nesterov = true }), ["SGD", "Nesterov", "momentum=0"] },
            { "sgd nesterov with dampening", () => new SGD(ps, new SGDOptions { Nesterov = true, Momentum = 0.9, Dampening = 0.1 }), ["SGD", "Nesterov", "dampening=0.1"] },
            { "adam lr", () => new Adam(ps, new AdamOptions { Lr = -1e-3 }), ["Adam", "learning rate", "-0.001"] },
            { "adam beta1", () => new Adam(ps, new AdamOptions { Betas = (1.0, 0.999) }), ["Adam", "beta parameter at index 0", "1"] },
            { "adam beta2", () => new Adam(ps, new AdamOptions { Betas = (0.9, -0.1) }), ["Adam", "beta parameter at index 1", "-0.1"] },
            { "adam eps", () => new Adam(ps, new AdamOptions { Eps = -1e-8 }), ["Adam", "epsilon", "-1E-08"] },
            { "adam weight decay", () => new Adam(ps, new AdamOptions { WeightDecay = -1 }), ["Adam", "weight_decay", "-1"] },
            { "adamw beta2", () => new AdamW(ps, new AdamWOptions { Betas = (0.9, 1.0) }), ["AdamW", "beta parameter at index 1", "1"] },
            { "adamw weight decay", () => new AdamW(ps, new AdamWOptions { WeightDecay = double.PositiveInfinity }), ["AdamW", "weight_decay", "Infinity"] },
            { "rmsprop alpha", () => new RMSprop(ps, new RMSpropOptions { Alpha = -0.9 }), ["RMSprop", "alpha", "-0.9"] },
            { "rmsprop eps", () => new RMSprop(ps, new RMSpropOptions { Eps = -1 }), ["RMSprop", "epsilon", "-1"] },
            { "rmsprop momentum", () => new RMSprop(ps, new RMSpropOptions { Momentum = -0.1 }), ["RMSprop", "momentum", "-0.1"] },
            { "rmsprop weight decay", () => new RMSprop(ps, new RMSpropOptions { WeightDecay = -2 }), ["RMSprop", "weight_decay", "-2"] },
            { "group override", () => new Adam([new ParamGroup(ps), new ParamGroup([P(3)]) { Lr = -5 }]), ["Adam", "param group 1", "-5"] },
            { "unused group option", () => new SGD([new ParamGroup(ps) { Betas = (0.9, 0.99) }]), ["SGD", "param group 0", "Betas"] },
            { "unused group option rmsprop", () => new RMSprop([new ParamGroup(ps) { Nesterov = true }]), ["RMSprop", "Nesterov"] },
            { "shared parameter", () => new Adam([new ParamGroup(ps), new ParamGroup(ps)]), ["Adam", "param group 1", "more than one param group"] },
            { "repeated parameter", () => new Adam([ps[0], ps[0]]), ["Adam", "parameter 1", "more than one"] },
            { "empty", () => new AdamW(Array.Empty<Tensor>()), ["AdamW", "empty parameter list"] },
            { "int parameter", () => new SGD([Tensor.From(new[] { 1, 2 })]), ["SGD", "Int32"] },
            { "non-leaf", () => new SGD([P(2) * 2.0]), ["SGD", "not a leaf"] },
            { "strided", () => new SGD([Tensor.Ones([2, 3]).Transpose(0, 1)]), ["SGD", "non-contiguous"] },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_hyper_parameters_and_groups_are_rejected(string what, Func<Optimizer> make, string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(make);
        foreach (var f in fragments) Assert.True(ex.Message.Contains(f, StringComparison.Ordinal), $"{what}: '{ex.Message}' lacks '{f}'");
    }

    public static TheoryData<string> AllocationCases() => ["sgd", "sgd_nesterov", "adam", "adam_amsgrad", "adamw", "rmsprop_centered"];

    [Theory]
    [MemberData(nameof(AllocationCases))]
    public void A_steady_step_allocates_no_managed_memory(string which)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var g = new Generator(5);
            Tensor[] ps = [Tensor.RandN([64, 65], g, dtype: dtype).RequireGrad(), Tensor.RandN([1000], g, dtype: dtype).RequireGrad()];
            foreach (var p in ps) p.Grad = Tensor.RandN(p.Shape, g, dtype: dtype);
            Optimizer opt = which switch
            {
                "sgd" => new SGD(ps, new SGDOptions { Lr = 0.01, Momentum = 0.9, WeightDecay = 1e-4 }),
                "sgd_nesterov" => new SGD(ps, new SGDOptions { Lr = 0.01, Momentum = 0.9, Nesterov = true, Maximize = true }),
                "adam" => new Adam(ps, new AdamOptions { WeightDecay = 1e-4 }),
                "adam_amsgrad" => new Adam(ps, new AdamOptions { Amsgrad = true }),
                "adamw" => new AdamW(ps),
                _ => new RMSprop(ps, new RMSpropOptions { Centered = true, Momentum = 0.9, WeightDecay = 1e-4 }),
            };
            // Schedules change the learning rate every iteration; that must not allocate either.
            var schedule = new WarmupCosine(opt, warmupSteps: 5, totalSteps: 100);
            var plateau = new ReduceLROnPlateau(opt, patience: 2);
            for (int i = 0; i < 3; i++) Iteration(i); // warm-up: state buffers, JIT
            // Steady state: the least allocated over three windows of 10 steps. A per-step allocation shows in every
            // window; a one-off allocation by the runtime (tiered JIT recompiling a hot method) in at most one.
            long allocated = long.MaxValue;
            for (int window = 0; window < 3 && allocated >= 256; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++) Iteration(3 + window * 10 + i);
                opt.ZeroGrad();
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.True(allocated < 256, $"{which} {dtype}: 10 steps allocated {allocated} bytes");

            void Iteration(int i)
            {
                opt.Step();
                schedule.Step();
                plateau.Step(1.0);
                opt.ZeroGrad();
                foreach (var p in ps) p.Grad!.Fill(0.5 - 0.1 * i);
            }
        }
    }
}
