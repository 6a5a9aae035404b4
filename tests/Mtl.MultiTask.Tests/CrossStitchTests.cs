// Cross-stitch: parameter layout, α initialisation, mixing by hand, independence at α = I, errors, and learning.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

public class CrossStitchTests
{
    private static TaskSpec[] Tasks(params string[] names) =>
        names.Select(n => new TaskSpec(n, TaskKind.Regression, 2)).ToArray();

    // Two stages 6 → 5 → 4 (Linear + ReLU each): one unit after stage 0 by default.
    private static CrossStitch Model(CrossStitchOptions? o = null, params string[] tasks) =>
        new(Trunk.Mlp(6, [5, 4], new Generator(1)), Tasks(tasks.Length == 0 ? ["a", "b"] : tasks), o);

    [Fact]
    public void Parameters_are_named_by_column_stage_and_unit()
    {
        var names = Model().NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("columns.a.0.0.weight", names);
        Assert.Contains("columns.b.1.0.bias", names);
        Assert.Contains("stitch.0", names);
        Assert.DoesNotContain("stitch.1", names);
        Assert.Contains("heads.b.weight", names);
        var late = Model(new CrossStitchOptions { AfterStages = [1] }).NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("stitch.1", late);
        Assert.DoesNotContain("stitch.0", late);
        var both = Model(new CrossStitchOptions { AfterStages = [1, 0] });
        Assert.Equal(new[] { 0, 1 }, both.StitchStages);
        Assert.Equal(2, both.StitchParameters().Count());
        Assert.Equal(both.Parameters().Count(), both.StitchParameters().Count() + both.NetworkParameters().Count());
    }

    [Fact]
    public void Alpha_starts_at_the_papers_self_and_shared_weights()
    {
        Assert.Equal(new[] { 0.9f, 0.1f, 0.1f, 0.9f }, Model().Stitch(0).ToArray<float>());
        var three = Model(new CrossStitchOptions { SelfWeight = 0.7 }, "a", "b", "c").Stitch(0).ToArray<float>();
        Assert.Equal(new[] { 0.7f, 0.15f, 0.15f, 0.15f, 0.7f, 0.15f, 0.15f, 0.15f, 0.7f }, three, (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal(new[] { 1f }, Model(null, "solo").Stitch(0).ToArray<float>());
        var perChannel = Model(new CrossStitchOptions { PerChannel = true });
        Assert.Equal(new[] { 5, 2, 2 }, perChannel.Stitch(0).Shape.ToArray());
        Assert.Equal(new[] { 0.9f, 0.1f, 0.1f, 0.9f }, perChannel.Stitch(0).ToArray<float>()[12..16]);
        // On LeNet a channel is a conv feature map after stage 0 and a flat feature after stage 1.
        var lenet = new CrossStitch(Trunk.LeNet(new Generator(2)), LearningHarness.FashionSpecs(), new CrossStitchOptions { PerChannel = true });
        Assert.Equal(new[] { 10, 2, 2 }, lenet.Stitch(0).Shape.ToArray());
        Assert.Equal(new[] { 320, 2, 2 }, lenet.Stitch(1).Shape.ToArray());
        var outputs = lenet.Forward(Tensor.Rand([3, 1, 28, 28], new Generator(3)));
        Assert.Equal(new[] { 3, 10 }, outputs["bottom_right"].Shape.ToArray());
        // ResetParameters restores the initial mixing.
        using (GradMode.NoGrad()) lenet.Stitch(0).Fill(0.5);
        lenet.ResetParameters(new Generator(4));
        Assert.Equal(0.9f, lenet.Stitch(0).ToArray<float>()[0]);
    }

    [Fact]
    public void Units_mix_columns_as_the_paper_writes()
    {
        var x = Tensor.RandN([4, 6], new Generator(5));
        foreach (bool perChannel in new[] { false, true })
        {
            var m = Model(new CrossStitchOptions { PerChannel = perChannel });
            var alpha = Tensor.Rand(m.Stitch(0).Shape, new Generator(6));
            using (GradMode.NoGrad()) m.Stitch(0).CopyFrom(alpha);
            var got = m.Forward(x);
            var ha = m.Columns["a"][0].Forward(x).ToArray<float>();                       // (4, 5)
            var hb = m.Columns["b"][0].Forward(x).ToArray<float>();
            var al = alpha.ToArray<float>();
            var mixA = new float[20];
            var mixB = new float[20];
            for (int n = 0; n < 4; n++)
                for (int c = 0; c < 5; c++)
                {
                    int o = perChannel ? c * 4 : 0;                                         // α[c] = (2, 2) at offset 4c
                    mixA[n * 5 + c] = al[o] * ha[n * 5 + c] + al[o + 1] * hb[n * 5 + c];
                    mixB[n * 5 + c] = al[o + 2] * ha[n * 5 + c] + al[o + 3] * hb[n * 5 + c];
                }
            var wantA = m.Heads["a"].Forward(m.Columns["a"][1].Forward(Tensor.From(mixA, 4, 5))).ToArray<float>();
            var wantB = m.Heads["b"].Forward(m.Columns["b"][1].Forward(Tensor.From(mixB, 4, 5))).ToArray<float>();
            Assert.Equal(wantA, got["a"].ToArray<float>(), (p, q) => Math.Abs(p - q) < 1e-5);
            Assert.Equal(wantB, got["b"].ToArray<float>(), (p, q) => Math.Abs(p - q) < 1e-5);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Identity_units_keep_task_gradients_in_their_own_column(bool perChannel)
    {
        var m = new CrossStitch(Trunk.LeNet(new Generator(7)), LearningHarness.FashionSpecs(), new CrossStitchOptions { PerChannel = perChannel });
        using (GradMode.NoGrad())
            foreach (var a in m.StitchParameters())
            {
                int blocks = a.Numel / 4;
                a.CopyFrom<float>(Enumerable.Range(0, blocks).SelectMany(_ => new[] { 1f, 0, 0, 1 }).ToArray());
            }
        var loss = m.Forward(Tensor.Rand([2, 1, 28, 28], new Generator(8)))["top_left"].Square().Sum();
        var own = m.Columns["top_left"].Parameters().ToArray();
        var other = m.Columns["bottom_right"].Parameters().ToArray();
        var grads = Autograd.Grad([loss], [.. own, .. other, .. m.StitchParameters()], allowUnused: true);
        Assert.All(grads[..own.Length], g => Assert.Contains(g!.ToArray<float>(), v => v != 0));
        Assert.All(grads[own.Length..(own.Length + other.Length)], g => Assert.True(g is null || g.ToArray<float>().All(v => v == 0)));
        // The units still learn: α[top_left, bottom_right] gets a gradient, so the columns can start to share.
        Assert.All(grads[(own.Length + other.Length)..], g => Assert.Contains(g!.ToArray<float>(), v => v != 0));
    }

    [Fact]
    public void Every_parameter_gets_a_gradient_and_alpha_matches_finite_differences()
    {
        var m = Model(new CrossStitchOptions { AfterStages = [0, 1] });
        var x = Tensor.RandN([5, 6], new Generator(9));
        Tensor Loss() => m.Forward(x).Values.Aggregate((Tensor?)null, (s, y) => s is null ? y.Square().Sum() : s.Add(y.Square().Sum()))!;
        m.ZeroGrad();
        Loss().Backward();
        foreach (var (name, p) in m.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray<float>().Any(v => v != 0), $"{name} got no gradient");
        // Central differences on every α entry (float32, so a loose tolerance).
        var alpha = m.Stitch(1);
        var analytic = alpha.Grad!.ToArray<float>();
        var values = alpha.ToArray<float>();
        for (int i = 0; i < values.Length; i++)
        {
            double Eval(float v)
            {
                var copy = values.ToArray();
                copy[i] = v;
                using (GradMode.NoGrad())
                {
                    alpha.CopyFrom<float>(copy);
                    return Loss().Item();
                }
            }
            double numeric = (Eval(values[i] + 1e-2f) - Eval(values[i] - 1e-2f)) / 2e-2;
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-2 * Math.Max(1, Math.Abs(numeric)), $"α[{i}]: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Bad_options_and_inputs_name_the_model_and_shapes()
    {
        var stage = Assert.Throws<ArgumentException>(() => Model(new CrossStitchOptions { AfterStages = [2] }));
        Assert.Contains("CrossStitch", stage.Message);
        Assert.Contains("AfterStages names stage 2", stage.Message);
        Assert.Contains("0..1", stage.Message);
        var twice = Assert.Throws<ArgumentException>(() => Model(new CrossStitchOptions { AfterStages = [0, 0] }));
        Assert.Contains("twice", twice.Message);
        Assert.Contains("SelfWeight", Assert.Throws<ArgumentException>(() => Model(new CrossStitchOptions { SelfWeight = 1.5 })).Message);
        var input = Assert.Throws<ArgumentException>(() => Model().Forward(Tensor.Zeros([3, 7])));
        Assert.Contains("CrossStitch", input.Message);
        Assert.Contains("(3, 7)", input.Message);
        Assert.Contains("(B, 6)", input.Message);
        var badHead = new CrossStitch(Trunk.Mlp(6, [4]), [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }]);
        var head = Assert.Throws<ArgumentException>(() => badHead.Forward(Tensor.Zeros([3, 6])));
        Assert.Contains("task 't'", head.Message);
        Assert.Contains("(3, 2)", head.Message);
    }

    [Fact]
    public void Learns_MultiFashion_via_the_registry()
    {
        Init.ManualSeed(1);   // the heads draw from the default generator
        var model = ArchitectureRegistry.Create("cross-stitch", LearningHarness.FashionContext(), new CrossStitchOptions());
        Assert.IsType<CrossStitch>(model);
        LearningHarness.AssertLearnsFashion(LearningHarness.TrainOnMultiFashion(model), "cross-stitch");
    }

    [Fact]
    public void Learns_synthetic_tasks_via_the_registry()
    {
        Init.ManualSeed(1);
        var model = ArchitectureRegistry.Create("cross-stitch", LearningHarness.SyntheticContext(), new CrossStitchOptions { PerChannel = true });
        LearningHarness.AssertLearnsSynthetic(LearningHarness.TrainOnSynthetic(model), "cross-stitch (per channel)");
    }
}
