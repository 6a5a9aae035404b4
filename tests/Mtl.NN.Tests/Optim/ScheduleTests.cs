// Learning-rate schedules against PyTorch 1.13 over 20 steps, their state dicts, and argument validation.
using Mtl.NN.Optim;

namespace Mtl.NN.Tests.Optim;

public class ScheduleTests
{
    private static SGD TwoGroups()
    {
        var lrs = OptimFixture.Doubles(OptimFixture.Json.GetProperty("schedule_base_lrs"));
        return new SGD([new ParamGroup([Tensor.Zeros([1]).RequireGrad()]) { Lr = lrs[0] }, new ParamGroup([Tensor.Zeros([1]).RequireGrad()]) { Lr = lrs[1] }],
            new SGDOptions { Lr = 1.0 });
    }

    private static double[] Metrics(string name) => OptimFixture.Doubles(OptimFixture.Json.GetProperty("schedules").GetProperty(name).GetProperty("metrics"));

    public static TheoryData<string, string> Cases() => new()
    {
        { "step", "step" }, { "multistep", "multistep" }, { "exponential", "exponential" }, { "cosine", "cosine" }, { "linear", "linear" },
        { "warmup_cosine", "warmup_cosine" }, { "sequential", "warmup_cosine" }, { "plateau_min", "plateau_min" }, { "plateau_max_abs", "plateau_max_abs" },
    };

    /// <summary>The schedule under test: how to step it at step k, its last learning rates, and its state.</summary>
    private sealed record Sched(Action<int> Step, Func<IReadOnlyList<double>> LastLr, IStateful State);

    private static Sched Make(string which, Optimizer o)
    {
        LrScheduler? s = which switch
        {
            "step" => new StepLR(o, 3, 0.5),
            "multistep" => new MultiStepLR(o, [2, 5, 5, 9], 0.3),
            "exponential" => new ExponentialLR(o, 0.9),
            "cosine" => new CosineAnnealingLR(o, 8, 0.001),
            "linear" => new LinearWarmup(o, 5, startFactor: 0.25),
            "warmup_cosine" => new WarmupCosine(o, warmupSteps: 4, totalSteps: 16, startFactor: 0.1, etaMin: 1e-4),
            "sequential" => new SequentialLR(o, [new LinearWarmup(o, 4, 0.1), new CosineAnnealingLR(o, 12, 1e-4)], [4]),
            _ => null,
        };
        if (s is not null) return new(_ => s.Step(), () => s.LastLr, s);
        var p = which == "plateau_min"
            ? new ReduceLROnPlateau(o, PlateauMode.Min, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLr: [0.02, 0.01])
            : new ReduceLROnPlateau(o, PlateauMode.Max, factor: 0.3, patience: 1, threshold: 0.05, thresholdMode: ThresholdMode.Abs, minLr: [0.005]);
        var metrics = Metrics(which);
        return new(k => p.Step(metrics[k]), () => p.LastLr, p);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_over_20_steps(string which, string fixture)
    {
        var rows = OptimFixture.Json.GetProperty("schedules").GetProperty(fixture).GetProperty("lrs").EnumerateArray().Select(OptimFixture.Doubles).ToArray();
        var opt = TwoGroups();
        var (step, lastLr, _) = Make(which, opt);
        for (int k = 0; k < rows.Length; k++)
        {
            if (k > 0)
            {
                opt.Step();
                step(k - 1);
                Assert.Equal(opt.ParamGroups.Select(g => g.Lr), lastLr());
            }
            OptimFixture.Close(rows[k], opt.ParamGroups.Select(g => g.Lr).ToArray(), 1e-12, 1e-12, $"{which} step {k}");
        }
    }

    [Fact]
    public void The_first_schedule_fixes_initial_lr_for_later_ones()
    {
        var opt = TwoGroups();
        var warm = new LinearWarmup(opt, 5, 0.25);
        Assert.Equal(0.025, opt.ParamGroups[0].Lr, 15);
        Assert.Equal(0.1, opt.ParamGroups[0].InitialLr);
        var cos = new CosineAnnealingLR(opt, 10);
        Assert.Equal([0.1, 0.03], cos.BaseLrs);
        Assert.Equal(0, cos.LastEpoch);
        Assert.Equal(0.1, opt.ParamGroups[0].Lr, 15);
        Assert.Equal(0, warm.LastEpoch);
    }

    [Theory]
    [InlineData("step")]
    [InlineData("cosine")]
    [InlineData("sequential")]
    [InlineData("plateau_min")]
    public void Resume_mid_schedule_gives_the_same_learning_rates(string which)
    {
        var opt = TwoGroups();
        var (step, _, sched) = Make(which, opt);
        for (int k = 0; k < 7; k++) { opt.Step(); step(k); }
        var optState = opt.StateDict();
        var schedState = sched.StateDict();
        var expected = new List<double[]>();
        for (int k = 7; k < 20; k++) { opt.Step(); step(k); expected.Add(opt.ParamGroups.Select(g => g.Lr).ToArray()); }

        foreach (bool optimizerFirst in new[] { true, false })
        {
            var opt2 = TwoGroups();
            var (step2, _, sched2) = Make(which, opt2);
            if (optimizerFirst) { opt2.LoadStateDict(optState); sched2.LoadStateDict(schedState); }
            else { sched2.LoadStateDict(schedState); opt2.LoadStateDict(optState); }
            for (int k = 7; k < 20; k++)
            {
                opt2.Step();
                step2(k);
                Assert.Equal(expected[k - 7], opt2.ParamGroups.Select(g => g.Lr).ToArray());
            }
        }
    }

    [Fact]
    public void Schedule_state_dict_holds_progress_and_validates_on_load()
    {
        var opt = TwoGroups();
        var s = new StepLR(opt, 2, 0.5);
        for (int k = 0; k < 3; k++) s.Step();
        var sd = s.StateDict();
        Assert.Equal("StepLR", sd.Values["scheduler"]);
        Assert.Equal("3", sd.Values["last_epoch"]);
        Assert.Equal("0.05", sd.Values["last_lr.0"]);

        var other = new ExponentialLR(TwoGroups(), 0.9);
        Assert.Contains("'StepLR', not 'ExponentialLR'", Assert.Throws<ArgumentException>(() => other.LoadStateDict(sd)).Message);

        var target = new StepLR(TwoGroups(), 2, 0.5);
        var bad = s.StateDict();
        bad.Values.Remove("base_lr.1");
        bad.Values["last_epoch"] = "-4";
        bad.Values["last_lr.2"] = "0.1";
        var ex = Assert.Throws<ArgumentException>(() => target.LoadStateDict(bad));
        Assert.Contains("missing value 'base_lr.1'", ex.Message);
        Assert.Contains("'last_epoch' = '-4'", ex.Message);
        Assert.Contains("unexpected value 'last_lr.2'", ex.Message);
        Assert.Equal(0, target.LastEpoch);
        Assert.Equal(0.1, target.Optimizer.ParamGroups[0].Lr);

        var plateau = new ReduceLROnPlateau(TwoGroups());
        var psd = plateau.StateDict();
        Assert.Equal("Infinity", psd.Values["best"]);
        psd.Values["num_bad_epochs"] = "x";
        Assert.Contains("'num_bad_epochs' = 'x'", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(TwoGroups()).LoadStateDict(psd)).Message);
    }

    public static TheoryData<string, Func<Optimizer, object>, string[]> InvalidCases() => new()
    {
        { "step size", o => new StepLR(o, 0), ["StepLR", "stepSize", "0"] },
        { "step gamma", o => new StepLR(o, 2, -0.5), ["StepLR", "gamma", "-0.5"] },
        { "multistep order", o => new MultiStepLR(o, [5, 3]), ["MultiStepLR", "increasing", "[5, 3]"] },
        { "multistep negative", o => new MultiStepLR(o, [-1, 3]), ["MultiStepLR", ">= 0", "[-1, 3]"] },
        { "exponential gamma", o => new ExponentialLR(o, double.NaN), ["ExponentialLR", "gamma", "NaN"] },
        { "cosine tmax", o => new CosineAnnealingLR(o, 0), ["CosineAnnealingLR", "tMax", "0"] },
        { "cosine eta", o => new CosineAnnealingLR(o, 10, -0.1), ["CosineAnnealingLR", "etaMin", "-0.1"] },
        { "warmup steps", o => new LinearWarmup(o, 0), ["LinearWarmup", "warmupSteps", "0"] },
        { "warmup start", o => new LinearWarmup(o, 5, 1.5), ["LinearWarmup", "startFactor", "1.5"] },
        { "warmup end", o => new LinearWarmup(o, 5, 0.5, -0.1), ["LinearWarmup", "endFactor", "-0.1"] },
        { "warmup cosine total", o => new WarmupCosine(o, 10, 10), ["WarmupCosine", "totalSteps (10)", "warmupSteps (10)"] },
        { "warmup cosine start", o => new WarmupCosine(o, 2, 10, startFactor: 2), ["WarmupCosine", "startFactor", "2"] },
        { "sequential milestones", o => new SequentialLR(o, [new StepLR(o, 1), new StepLR(o, 1)], []), ["SequentialLR", "2 schedules and 0 milestones"] },
        { "sequential order", o => new SequentialLR(o, [new StepLR(o, 1), new StepLR(o, 1), new StepLR(o, 1)], [4, 4]), ["SequentialLR", "[4, 4]"] },
        { "sequential optimizer", o => new SequentialLR(o, [new StepLR(TwoGroups(), 1)], []), ["SequentialLR", "schedule 0", "different optimizer"] },
        { "plateau factor", o => new ReduceLROnPlateau(o, factor: 1.0), ["ReduceLROnPlateau", "factor", "1"] },
        { "plateau patience", o => new ReduceLROnPlateau(o, patience: -1), ["ReduceLROnPlateau", "patience", "-1"] },
        { "plateau threshold", o => new ReduceLROnPlateau(o, threshold: -1e-3), ["ReduceLROnPlateau", "threshold", "-0.001"] },
        { "plateau cooldown", o => new ReduceLROnPlateau(o, cooldown: -2), ["ReduceLROnPlateau", "cooldown", "-2"] },
        { "plateau min lr count", o => new ReduceLROnPlateau(o, minLr: [0.1, 0.1, 0.1]), ["ReduceLROnPlateau", "expected 1 or 2", "got 3"] },
        { "plateau min lr value", o => new ReduceLROnPlateau(o, minLr: [-0.5]), ["ReduceLROnPlateau", "-0.5"] },
        { "plateau mode", o => new ReduceLROnPlateau(o, (PlateauMode)7), ["ReduceLROnPlateau", "mode", "7"] },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_arguments_are_rejected_before_touching_the_optimizer(string what, Func<Optimizer, object> make, string[] fragments)
    {
        var opt = TwoGroups();
        var ex = Assert.Throws<ArgumentException>(() => make(opt));
        foreach (var f in fragments) Assert.True(ex.Message.Contains(f, StringComparison.Ordinal), $"{what}: '{ex.Message}' lacks '{f}'");
        if (!what.StartsWith("sequential", StringComparison.Ordinal)) // a SequentialLR's children were made (and set lrs) before it failed
        {
            Assert.Null(opt.ParamGroups[0].InitialLr);
            Assert.Equal(0.1, opt.ParamGroups[0].Lr);
        }
    }

    [Fact]
    public void A_schedule_notices_groups_added_after_it()
    {
        var opt = TwoGroups();
        var s = new ExponentialLR(opt, 0.5);
        opt.AddParamGroup(new ParamGroup([Tensor.Zeros([1]).RequireGrad()]));
        Assert.Contains("3 param groups", Assert.Throws<InvalidOperationException>(() => s.Step()).Message);
    }
}
