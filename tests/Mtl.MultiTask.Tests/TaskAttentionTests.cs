// Task attention: parameter layout, attention rows are distributions, the mix by hand, temperature, errors, learning.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

public class TaskAttentionTests
{
    private static TaskSpec[] Tasks(params string[] names) =>
        names.Select(n => new TaskSpec(n, TaskKind.Regression, 2)).ToArray();

    // Two stages 6 → 5 → 4 (Linear + ReLU each): attention after stage 0 by default.
    private static TaskAttention Model(TaskAttentionOptions? o = null, params string[] tasks) =>
        new(Trunk.Mlp(6, [5, 4], new Generator(1)), Tasks(tasks.Length == 0 ? ["a", "b", "c"] : tasks), o, new Generator(2));

    [Fact]
    public void Parameters_are_named_by_column_stage_and_task()
    {
        var m = Model();
        var names = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Contains("columns.a.0.0.weight", names.Keys);
        Assert.Contains("columns.c.1.0.bias", names.Keys);
        Assert.Equal(new[] { 3, 3 * 5 }, names["attention.0.b.weight"].Shape.ToArray());   // K·D → K
        Assert.Contains("attention.0.c.bias", names.Keys);
        Assert.DoesNotContain(names.Keys, n => n.StartsWith("attention.1.", StringComparison.Ordinal));
        Assert.Contains("heads.a.weight", names.Keys);
        Assert.Equal(new[] { 0, 1 }, Model(new TaskAttentionOptions { AtStages = [1, 0] }).AttentionStages);
    }

    [Fact]
    public void Attention_rows_are_distributions_over_the_columns()
    {
        var m = Model(new TaskAttentionOptions { AtStages = [0, 1] });
        var weights = m.AttentionWeights(Tensor.RandN([7, 6], new Generator(3)));
        Assert.Equal(new[] { 0, 1 }, weights.Keys.Order());
        foreach (var (stage, perTask) in weights)
        {
            Assert.Equal(new[] { "a", "b", "c" }, perTask.Keys.Order());
            foreach (var alpha in perTask.Values)
            {
                Assert.Equal(new[] { 7, 3 }, alpha.Shape.ToArray());
                Assert.All(alpha.ToArray<float>(), v => Assert.InRange(v, 0f, 1f));
                foreach (var s in alpha.Sum(1).ToArray<float>()) Assert.Equal(1, s, 5);
            }
        }
        // LeNet: attention reads the (10, 12, 12) conv maps of stage 0 flattened.
        var lenet = new TaskAttention(Trunk.LeNet(new Generator(4)), LearningHarness.FashionSpecs());
        Assert.Equal(2 * 1440, lenet.Attention["0"]["top_left"].InFeatures);
        var w = lenet.AttentionWeights(Tensor.Rand([2, 1, 28, 28], new Generator(5)));
        Assert.Equal(new[] { 2, 2 }, w[1]["bottom_right"].Shape.ToArray());
        Assert.Equal(new[] { 2, 10 }, lenet.Forward(Tensor.Rand([2, 1, 28, 28], new Generator(5)))["top_left"].Shape.ToArray());
    }

    [Fact]
    public void Each_task_mixes_the_columns_with_its_softmax_weights()
    {
        foreach (double temperature in new[] { 1.0, 0.5 })
        {
            var m = Model(new TaskAttentionOptions { Temperature = temperature });
            var x = Tensor.RandN([4, 6], new Generator(6));
            var got = m.Forward(x);
            var h = new[] { "a", "b", "c" }.Select(t => m.Columns[t][0].Forward(x)).ToArray();     // 3 × (4, 5)
            var all = JoinOps.Concat(h, 1);                                                          // (4, 15)
            foreach (var t in new[] { "a", "b", "c" })
            {
                var logits = m.Attention["0"][t].Forward(all).ToArray<float>();                      // (4, 3)
                var mix = new float[20];
                for (int n = 0; n < 4; n++)
                {
                    var e = Enumerable.Range(0, 3).Select(j => Math.Exp(logits[n * 3 + j] / temperature)).ToArray();
                    for (int j = 0; j < 3; j++)
                    {
                        var hj = h[j].ToArray<float>();
                        for (int d = 0; d < 5; d++) mix[n * 5 + d] += (float)(e[j] / e.Sum()) * hj[n * 5 + d];
                    }
                }
                var want = m.Heads[t].Forward(m.Columns[t][1].Forward(Tensor.From(mix, 4, 5))).ToArray<float>();
                Assert.Equal(want, got[t].ToArray<float>(), (p, q) => Math.Abs(p - q) < 1e-5);
            }
        }
    }

    [Fact]
    public void A_high_temperature_flattens_the_weights()
    {
        var x = Tensor.RandN([6, 6], new Generator(7));
        double Spread(double temperature) => Model(new TaskAttentionOptions { Temperature = temperature }).AttentionWeights(x)[0]["a"]
            .ToArray<float>().Max(v => Math.Abs(v - 1.0 / 3));
        Assert.True(Spread(100) < 0.01 * Spread(1) + 1e-6, $"spread at τ=100 {Spread(100)}, at τ=1 {Spread(1)}");
    }

    [Fact]
    public void Every_parameter_gets_a_gradient_and_the_scorers_match_finite_differences()
    {
        var m = Model(new TaskAttentionOptions { AtStages = [0, 1] });
        var x = Tensor.RandN([5, 6], new Generator(8));
        Tensor Loss() => m.Forward(x).Values.Aggregate((Tensor?)null, (s, y) => s is null ? y.Square().Sum() : s.Add(y.Square().Sum()))!;
        m.ZeroGrad();
        Loss().Backward();
        foreach (var (name, p) in m.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray<float>().Any(v => v != 0), $"{name} got no gradient");
        var bias = m.Attention["1"]["b"].Bias!;                                                      // (3): after the last stage, smooth in the bias
        var analytic = bias.Grad!.ToArray<float>();
        var values = bias.ToArray<float>();
        for (int i = 0; i < values.Length; i++)
        {
            double Eval(float v)
            {
                var copy = values.ToArray();
                copy[i] = v;
                using (GradMode.NoGrad())
                {
                    bias.CopyFrom<float>(copy);
                    return Loss().Item();
                }
            }
            double numeric = (Eval(values[i] + 1e-2f) - Eval(values[i] - 1e-2f)) / 2e-2;
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-2 * Math.Max(0.1, Math.Abs(numeric)), $"bias[{i}]: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Bad_options_and_inputs_name_the_model_and_shapes()
    {
        var stage = Assert.Throws<ArgumentException>(() => Model(new TaskAttentionOptions { AtStages = [-1] }));
        Assert.Contains("TaskAttention", stage.Message);
        Assert.Contains("AtStages names stage -1", stage.Message);
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => Model(new TaskAttentionOptions { Temperature = 0 })).Message);
        var input = Assert.Throws<ArgumentException>(() => Model().Forward(Tensor.Zeros([3, 5])));
        Assert.Contains("TaskAttention", input.Message);
        Assert.Contains("(3, 5)", input.Message);
        Assert.Contains("(B, 6)", input.Message);
        var weights = Assert.Throws<ArgumentException>(() => Model().AttentionWeights(Tensor.Zeros([3, 5])));
        Assert.Contains("(3, 5)", weights.Message);
        var badHead = new TaskAttention(Trunk.Mlp(6, [4, 4]), [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }]);
        var head = Assert.Throws<ArgumentException>(() => badHead.Forward(Tensor.Zeros([3, 6])));
        Assert.Contains("task 't'", head.Message);
        Assert.Contains("(3, 2)", head.Message);
    }

    [Fact]
    public void Learns_MultiFashion_via_the_registry()
    {
        Init.ManualSeed(1);   // the heads and the attention scorers draw from the default generator
        var model = ArchitectureRegistry.Create("task-attention", LearningHarness.FashionContext(), new TaskAttentionOptions());
        Assert.IsType<TaskAttention>(model);
        LearningHarness.AssertLearnsFashion(LearningHarness.TrainOnMultiFashion(model), "task-attention");
    }

    [Fact]
    public void Learns_synthetic_tasks_via_the_registry()
    {
        Init.ManualSeed(1);
        var model = ArchitectureRegistry.Create("task-attention", LearningHarness.SyntheticContext(), new TaskAttentionOptions());
        LearningHarness.AssertLearnsSynthetic(LearningHarness.TrainOnSynthetic(model), "task-attention");
    }
}
