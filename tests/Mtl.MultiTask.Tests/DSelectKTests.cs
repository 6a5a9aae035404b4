// DSelect-k: smooth-step values and gradients, gates as (k-sparse) distributions, the regulariser by hand, layout and learning.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests;

public class DSelectKTests(ITestOutputHelper output)
{
    private static TaskSpec[] Regression(params string[] names) =>
        names.Select(n => new TaskSpec(n, TaskKind.Regression, 1) { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) }).ToArray();

    private static DSelectK Model(DSelectKOptions options, params string[] tasks) =>
        new(Trunk.Mlp(10, [6], new Generator(1)), Regression(tasks.Length == 0 ? new[] { "task1", "task2" } : tasks), options, new Generator(2));

    private static Tensor Input(int batch, ulong seed = 3) => Tensor.RandN([batch, 10], new Generator(seed));

    [Fact]
    public void Smooth_step_is_the_cubic_between_the_clamps_and_its_gradient_checks()
    {
        var t = Tensor.From([-2.0, -0.5, -0.25, 0, 0.25, 0.5, 3], 7);
        var s = DSelectKGate.SmoothStep(t, 1).ToArray<double>();
        Assert.Equal(new[] { 0, 0, 0.15625, 0.5, 0.84375, 1, 1 }, s);           // −2t³ + 3t/2 + 1/2 at ±1/4
        Assert.Equal(0.84375, DSelectKGate.SmoothStep(Tensor.From([0.5], 1), 2).ToArray<double>()[0], 12); // γ = 2 stretches it
        // Away from the kinks at ±γ/2: inside the cubic and in both flat parts.
        var points = Tensor.From([-0.9, -0.4, -0.1, 0.2, 0.45, 1.3], 2, 3);
        var r = GradCheck.Run(x => DSelectKGate.SmoothStep(x[0], 1.0), [points]);
        Assert.True(r.Passed, r.Detail);
    }

    [Fact]
    public void The_gate_as_a_function_of_its_logits_passes_a_float64_gradient_check()
    {
        var z = Tensor.Rand([3, 2, 3], new Generator(4), -0.4, 0.4, DType.Float64);                   // (B, k, m), inside the cubic
        var w = Tensor.RandN([3, 2], new Generator(5), dtype: DType.Float64);                         // (B, k)
        var codes = DSelectKGate.BinaryCodes(6, 3, DType.Float64);                                   // n = 6 of 8 codes
        var r = GradCheck.Run(x => DSelectKGate.Combine(x[0], x[1], codes, 1.0).Weights, [z, w]);
        Assert.True(r.Passed, r.Detail);
        var reg = GradCheck.Run(x => DSelectKGate.Regularizer(DSelectKGate.Combine(x[0], x[1], codes, 1.0).Selectors, 0.1, powerOfTwo: false), [z, w]);
        Assert.True(reg.Passed, reg.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gate_weights_are_non_negative_and_sum_to_one(bool perExample)
    {
        var model = Model(new DSelectKOptions { NumExperts = 8, NumNonzeros = 3, PerExample = perExample });
        foreach (var g in model.GateWeights(Input(5)).Values)
        {
            Assert.Equal(new[] { 5, 8 }, g.Shape.ToArray());
            foreach (var v in g.ToArray<float>()) Assert.True(v >= 0);
            foreach (var s in g.Sum(1).ToArray<float>()) Assert.Equal(1, s, 5);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_saturated_logits_each_gate_selects_at_most_k_experts(bool perExample)
    {
        const int k = 2;
        var model = Model(new DSelectKOptions { NumExperts = 8, NumNonzeros = k, PerExample = perExample });
        using (GradMode.NoGrad())
            foreach (var gate in model.Gates.Values)
            {
                // |z| ≫ γ/2 everywhere: the smooth-steps are exactly 0 or 1, every selector is one-hot.
                var z = perExample ? gate.ZLogits!.Weight : gate.StaticZ!;
                z.CopyFrom(z.MulScalar(1e7));
                if (perExample) gate.ZLogits!.Bias!.Zero();
            }
        foreach (var (task, g) in model.GateWeights(Input(64)))
        {
            var w = g.ToArray<float>();
            for (int i = 0; i < 64; i++)
            {
                var row = w[(i * 8)..((i + 1) * 8)];
                Assert.True(row.Count(v => v != 0) <= k, $"{task} row {i}: {string.Join(", ", row)}");
                Assert.Equal(1, row.Sum(), 5);
            }
        }
    }

    [Fact]
    public void Entropy_regulariser_matches_a_hand_computation()
    {
        // Static, n = 2 (one bit), k = 1, z = 0: S = 1/2, r = (1/2, 1/2); per task λ · −2 · ½ log(½ + 1e-6).
        var two = Model(new DSelectKOptions { NumExperts = 2, NumNonzeros = 1, PerExample = false, EntropyRegularization = 0.1 });
        ZeroStaticLogits(two);
        two.Forward(Input(4));
        double perTask = 0.1 * -(2 * 0.5 * Math.Log(0.5 + 1e-6));
        Assert.Equal(2 * perTask, two.AuxiliaryLoss()!.Item(), 6);

        // n = 3 needs two bits; code 3 is unreachable: r = (¼, ¼, ¼), Σ r = ¾ (the weights sum to ¾ too), barrier 1/¾.
        var three = Model(new DSelectKOptions { NumExperts = 3, NumNonzeros = 1, PerExample = false, EntropyRegularization = 0.1 }, "only");
        ZeroStaticLogits(three);
        Assert.Equal(0.75, three.GateWeights(Input(2))["only"].Sum(1).ToArray<float>()[0], 6);
        three.Forward(Input(2));
        Assert.Equal(0.1 * -(3 * 0.25 * Math.Log(0.25 + 1e-6)) + 1 / 0.75, three.AuxiliaryLoss()!.Item(), 5);

        // Per-example with zero logits: every example's k = 2 selectors spread ¼ over n = 4; summed over the batch of 3.
        var perExample = Model(new DSelectKOptions { NumExperts = 4, NumNonzeros = 2, EntropyRegularization = 0.1 }, "only");
        using (GradMode.NoGrad()) foreach (var p in perExample.Gates["only"].ZLogits!.Parameters()) p.Zero();
        perExample.Forward(Input(3));
        Assert.Equal(0.1 * 3 * 2 * -(4 * 0.25 * Math.Log(0.25 + 1e-6)), perExample.AuxiliaryLoss()!.Item(), 5);

        perExample.Eval();
        perExample.Forward(Input(3));
        Assert.Null(perExample.AuxiliaryLoss());                                 // only training passes are regularised
    }

    private static void ZeroStaticLogits(DSelectK model)
    {
        using (GradMode.NoGrad()) foreach (var g in model.Gates.Values) g.StaticZ!.Zero();
    }

    [Fact]
    public void Parameters_are_named_and_bad_inputs_are_reported()
    {
        var names = Model(new DSelectKOptions()).NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("experts.3.0.0.weight", names);
        Assert.DoesNotContain("experts.4.0.0.weight", names);
        Assert.Contains("gates.task1.z.weight", names);
        Assert.Contains("gates.task2.w.bias", names);
        Assert.Contains("heads.task1.2.weight", names);
        var staticModel = Model(new DSelectKOptions { PerExample = false });
        var p = staticModel.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter.Shape.ToArray());
        Assert.Equal(new[] { 2, 2 }, p["gates.task2.z"]);                        // k = 2 selectors of m = 2 bits
        Assert.Equal(new[] { 2 }, p["gates.task2.w"]);

        var model = Model(new DSelectKOptions());
        Assert.Equal(new[] { 5, 1 }, model.Forward(Input(5))["task2"].Shape.ToArray());
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([5, 9])));
        Assert.Contains("DSelectK", e.Message);
        Assert.Contains("(5, 9)", e.Message);
        Assert.Contains("(B, 10)", e.Message);
        Assert.Contains("NumExperts (1)", Assert.Throws<ArgumentException>(() => Model(new DSelectKOptions { NumExperts = 1 })).Message);
        var badHead = new DSelectK(Trunk.Mlp(10, [6]), [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }]);
        Assert.Contains("task 't'", Assert.Throws<ArgumentException>(() => badHead.Forward(Input(2))).Message);
        Assert.IsType<DSelectK>(ArchitectureRegistry.Create("dselect-k", new ArchitectureContext(Regression("a"), Trunk.Mlp(10, [6]))));
    }

    [Fact]
    public void Every_parameter_is_trained_and_same_seeds_give_the_same_model()
    {
        ExpertArchitectureChecks.EveryParameterGetsAGradient(Model(new DSelectKOptions { NumExperts = 3 }), Input(16));
        ExpertArchitectureChecks.EveryParameterGetsAGradient(Model(new DSelectKOptions { PerExample = false }), Input(16));
        ExpertArchitectureChecks.SameSeedSameOutputs(() => ArchitectureRegistry.Create("dselect-k",
            new ArchitectureContext(Regression("a", "b"), Trunk.Mlp(10, [6], new Generator(1)))), Input(4));
    }

    [Fact]
    public void Learns_MultiFashion()
    {
        Init.ManualSeed(5);                                                        // the gates draw from the default generator
        var model = ArchitectureRegistry.Create("dselect-k", LearningHarness.FashionContext());
        var result = LearningHarness.TrainOnMultiFashion(model);
        Report(result, "dselect-k");
        LearningHarness.AssertLearnsFashion(result, "dselect-k");
    }

    [Fact]
    public void Learns_synthetic_tasks()
    {
        Init.ManualSeed(5);
        var model = ArchitectureRegistry.Create("dselect-k", LearningHarness.SyntheticContext());
        var result = LearningHarness.TrainOnSynthetic(model);
        Report(result, "dselect-k");
        LearningHarness.AssertLearnsSynthetic(result, "dselect-k");
    }

    private void Report(Mtl.MultiTask.Training.EvaluationResult result, string name)
    {
        foreach (var (task, metrics) in result.Metrics)
            output.WriteLine($"{name} {task}: " + string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value:F3}")));
    }
}
