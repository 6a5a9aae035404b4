// Soft sharing: layouts, each penalty against a hand computation, the pull under training, errors, and learning.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public class SoftSharingTests
{
    private static TaskSpec[] Tasks(params string[] names) =>
        names.Select(n => new TaskSpec(n, TaskKind.Regression, 1)).ToArray();

    // Two stages 4 → 3 → 2 (Linear + ReLU each).
    private static SoftSharing Model(SoftSharingOptions? o = null, params string[] tasks) =>
        new(Trunk.Mlp(4, [3, 2], new Generator(1)), Tasks(tasks.Length == 0 ? ["a", "b"] : tasks), o);

    [Fact]
    public void Parameters_are_named_by_column_and_the_shared_trunk_under_orthogonality()
    {
        var names = Model().NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Contains("columns.a.0.0.weight", names.Keys);
        Assert.Contains("columns.b.1.0.bias", names.Keys);
        Assert.Equal(new[] { 1, 2 }, names["heads.b.weight"].Shape.ToArray());
        Assert.DoesNotContain(names.Keys, n => n.StartsWith("shared.", StringComparison.Ordinal));
        var orth = Model(new SoftSharingOptions { Penalty = SoftPenalty.Orthogonality });
        var o = orth.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Contains("shared.0.0.weight", o.Keys);
        Assert.Contains("columns.a.1.0.weight", o.Keys);
        Assert.Equal(new[] { 1, 4 }, o["heads.a.weight"].Shape.ToArray());                     // reads [shared, private]
        Assert.Equal(4, orth.HeadWidth);
        Assert.Equal(new[] { 1 }, orth.RegularisedStages);                                       // default: the last stage
        Assert.Equal(new[] { 0, 1 }, Model().RegularisedStages);                                 // default: all stages
        Assert.Equal(new[] { 2, 1 }, orth.Forward(Tensor.Zeros([2, 4]))["b"].Shape.ToArray());
        Assert.Equal(1e-3, Model().Coefficient);
        Assert.Equal(0.5, Model(new SoftSharingOptions { Coefficient = 0.5 }).Coefficient);
    }

    [Theory]
    [InlineData(SoftPenalty.L2)]
    [InlineData(SoftPenalty.TraceNorm)]
    [InlineData(SoftPenalty.Orthogonality)]
    public void Every_parameter_gets_a_gradient(SoftPenalty penalty)
    {
        var m = Model(new SoftSharingOptions { Penalty = penalty, Stages = penalty == SoftPenalty.Orthogonality ? [0, 1] : null });
        var outputs = m.Forward(Tensor.RandN([6, 4], new Generator(3)));
        var aux = m.AuxiliaryLoss()!;
        Assert.True(aux.Item() > 0, $"{penalty}: penalty {aux.Item()}");
        m.ZeroGrad();
        outputs["a"].Square().Sum().Add(outputs["b"].Square().Sum()).Add(aux).Backward();
        foreach (var (name, p) in m.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray<float>().Any(v => v != 0), $"{penalty}: {name} got no gradient");
    }

    [Fact]
    public void L2_penalty_is_the_sum_of_pairwise_squared_distances()
    {
        var m = Model(new SoftSharingOptions { Coefficient = 0.25 }, "a", "b", "c");
        double expected = 0;
        var cols = new[] { "a", "b", "c" }.Select(t => m.Columns[t].NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToArray<float>())).ToArray();
        foreach (var name in cols[0].Keys)
            for (int i = 0; i < 3; i++)
                for (int j = i + 1; j < 3; j++)
                    expected += cols[i][name].Zip(cols[j][name], (x, y) => (double)(x - y) * (x - y)).Sum();
        Assert.Equal(16, cols[0].Count * 4);                                                    // 2 stages × (weight, bias)
        Assert.Equal(expected, m.Penalty().Item(), 4);
        Assert.Equal(0.25 * expected, m.AuxiliaryLoss()!.Item(), 4);
        // dΩ/dΘ_a = 2 Σ_j (Θ_a − Θ_j) for every tied parameter.
        m.AuxiliaryLoss()!.Backward();
        var w = m.Columns.Select(c => c.Value[0].NamedParameters().First().Parameter).ToArray();
        var (wa, wb, wc) = (w[0].ToArray<float>(), w[1].ToArray<float>(), w[2].ToArray<float>());
        var grad = w[0].Grad!.ToArray<float>();
        for (int k = 0; k < wa.Length; k++) Assert.Equal(0.25 * 2 * (2 * wa[k] - wb[k] - wc[k]), grad[k], 5);
        // Stages restricts the sum to those stages' parameters.
        var late = Model(new SoftSharingOptions { Stages = [1] });
        var a1 = late.Columns["a"][1].Parameters().Select(p => p.ToArray<float>()).ToArray();
        var b1 = late.Columns["b"][1].Parameters().Select(p => p.ToArray<float>()).ToArray();
        Assert.Equal(a1.Zip(b1, (x, y) => x.Zip(y, (p, q) => (double)(p - q) * (p - q)).Sum()).Sum(), late.Penalty().Item(), 5);
    }

    [Fact]
    public void Trace_norm_penalty_sums_the_nuclear_norms_of_the_stacked_weights()
    {
        var m = Model(new SoftSharingOptions { Penalty = SoftPenalty.TraceNorm, Coefficient = 2 }, "a", "b", "c");
        double expected = 0;
        foreach (int stage in new[] { 0, 1 })
        {
            var stack = JoinOps.Stack(new[] { "a", "b", "c" }.Select(t => m.Columns[t][stage].Parameters().First().Reshape(-1)).ToArray(), 0);   // (3, P)
            expected += stack.NuclearNorm().Item();
        }
        Assert.Equal(expected, m.Penalty().Item(), 4);
        Assert.Equal(2 * expected, m.AuxiliaryLoss()!.Item(), 4);
        m.AuxiliaryLoss()!.Backward();
        Assert.Null(m.Columns["a"][0].NamedParameters().Single(p => p.Name == "0.bias").Parameter.Grad);   // biases are not tied
        Assert.NotNull(m.Columns["c"][1].NamedParameters().Single(p => p.Name == "0.weight").Parameter.Grad);
        // Identical columns stack to a rank-one matrix: the norm is √K·‖w‖ per weight.
        var same = Model(new SoftSharingOptions { Penalty = SoftPenalty.TraceNorm });
        using (GradMode.NoGrad())
            foreach (var (p, q) in same.Columns["b"].Parameters().Zip(same.Columns["a"].Parameters())) p.CopyFrom(q);
        double rankOne = same.Columns["a"].Parameters().Where(p => p.Rank == 2).Sum(p => Math.Sqrt(2 * p.Square().Sum().Item()));
        Assert.Equal(rankOne, same.Penalty().Item(), 4);
    }

    [Fact]
    public void Orthogonality_penalty_on_a_known_case()
    {
        // One stage Linear(2 → 2) without activation; x = I, so each trunk's features are its weight transposed.
        var trunk = new Trunk([2], () => new Linear(2, 2));
        var m = new SoftSharing(trunk, Tasks("a", "b"), new SoftSharingOptions { Penalty = SoftPenalty.Orthogonality, Coefficient = 0.5 });
        void Set(ModuleList<Module<Tensor, Tensor>> column, float[] w)
        {
            var lin = (Linear)column[0];
            using (GradMode.NoGrad())
            {
                lin.Weight.CopyFrom<float>(w);
                lin.Bias!.Zero();
            }
        }
        Set(m.Shared!, [1, 0, 0, 1]);                          // S = I
        Set(m.Columns["a"], [1, 2, 3, 4]);                      // P_a = [[1, 3], [2, 4]]: ‖SᵀP_a‖² = 30
        Set(m.Columns["b"], [0, 0, 0, 5]);                      // ‖SᵀP_b‖² = 25
        var x = Tensor.From(new float[] { 1, 0, 0, 1 }, 2, 2);
        m.Forward(x);
        Assert.Equal(55, m.Penalty().Item(), 4);
        Assert.Equal(27.5, m.AuxiliaryLoss()!.Item(), 4);
        // Shared features orthogonal to the private ones (disjoint feature directions) cost nothing.
        Set(m.Shared!, [1, 0, 0, 0]);                           // S = [[1, 0], [0, 0]]
        Set(m.Columns["a"], [0, 3, 0, 0]);                      // P_a = [[0, 0], [3, 0]]
        Set(m.Columns["b"], [0, 0, 0, 0]);
        m.Forward(x);
        Assert.Equal(0, m.Penalty().Item());
        // The heads read concat[S, P_t].
        var outA = m.Forward(x)["a"];
        var head = (Linear)m.Heads["a"];
        var concat = Tensor.From(new float[] { 1, 0, 0, 0, 0, 0, 3, 0 }, 2, 4);
        Assert.Equal(head.Forward(concat).ToArray<float>(), outA.ToArray<float>());
    }

    [Fact]
    public void Orthogonality_penalty_pushes_private_features_away_from_shared_ones()
    {
        var m = Model(new SoftSharingOptions { Penalty = SoftPenalty.Orthogonality, Coefficient = 1 });
        var x = Tensor.RandN([16, 4], new Generator(2));
        var opt = new Adam(m.Parameters(), new AdamOptions { Lr = 0.01 });
        m.Forward(x);
        double before = m.Penalty().Item();
        for (int step = 0; step < 50; step++)
        {
            m.Forward(x);
            opt.ZeroGrad();
            m.AuxiliaryLoss()!.Backward();
            opt.Step();
        }
        m.Forward(x);
        Assert.True(m.Penalty().Item() < 0.1 * before, $"penalty {before:G3} → {m.Penalty().Item():G3}");
        Assert.All(m.Columns["a"].Parameters().Concat(m.Shared!.Parameters()), p => Assert.NotNull(p.Grad));
    }

    [Theory]
    [InlineData(SoftPenalty.L2)]
    [InlineData(SoftPenalty.TraceNorm)]
    public void Penalty_pulls_the_columns_together_under_training(SoftPenalty penalty)
    {
        // Same data (two related linear tasks), same initialisation, with and without the penalty: the columns end closer
        // and the stacked first-stage weights [Wa; Wb] (2, 48) with a smaller nuclear norm. (The trace norm shrinks both
        // singular values alike; it does not make independently initialised columns rank one within a short run, since
        // their hidden units are not aligned — Yang & Hospedales start all columns from one pretrained network.)
        double Distance(SoftSharing m) => m.Columns["a"].Parameters().Zip(m.Columns["b"].Parameters(), (p, q) => p.Sub(q).Square().Sum().Item()).Sum();
        (double Distance, double Nuclear) Train(double coefficient)
        {
            Init.ManualSeed(5);
            var m = new SoftSharing(Trunk.Mlp(6, [8], new Generator(3)), Tasks("a", "b"), new SoftSharingOptions { Penalty = penalty, Coefficient = coefficient });
            var gen = new Generator(4);
            var wa = Tensor.RandN([6, 1], gen);
            var wb = wa.Add(Tensor.RandN([6, 1], gen).MulScalar(0.3));                           // related tasks
            var opt = new Adam(m.Parameters(), new AdamOptions { Lr = 0.01 });
            for (int step = 0; step < 150; step++)
            {
                var x = Tensor.RandN([32, 6], gen);
                var y = m.Forward(x);
                var loss = y["a"].Sub(x.MatMul(wa)).Square().Mean().Add(y["b"].Sub(x.MatMul(wb)).Square().Mean()).Add(m.AuxiliaryLoss()!);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
            }
            var first = new[] { "a", "b" }.Select(t => m.Columns[t][0].Parameters().First().Reshape(-1)).ToArray();   // 2 × (48)
            return (Distance(m), JoinOps.Stack(first, 0).NuclearNorm().Item());
        }
        var free = Train(0);
        var tied = Train(penalty == SoftPenalty.L2 ? 0.1 : 0.5);
        // Measured: Σ‖Θa − Θb‖² 23.6 → 2.0 (L2, 0.1) and 23.6 → 10.0 (trace norm, 0.5); ‖[Wa; Wb]‖_* 6.6 → 3.7 (trace norm).
        double bound = penalty == SoftPenalty.L2 ? 0.2 : 0.7;
        Assert.True(tied.Distance < bound * free.Distance, $"{penalty}: Σ‖Θa − Θb‖² {free.Distance:F3} without the penalty, {tied.Distance:F3} with it");
        if (penalty == SoftPenalty.TraceNorm)
            Assert.True(tied.Nuclear < 0.7 * free.Nuclear, $"‖[Wa; Wb]‖_* {free.Nuclear:F3} without the penalty, {tied.Nuclear:F3} with it");
    }

    [Fact]
    public void Bad_options_and_inputs_name_the_model_and_shapes()
    {
        var stage = Assert.Throws<ArgumentException>(() => Model(new SoftSharingOptions { Stages = [5] }));
        Assert.Contains("SoftSharing", stage.Message);
        Assert.Contains("Stages names stage 5", stage.Message);
        Assert.Contains("Coefficient", Assert.Throws<ArgumentException>(() => Model(new SoftSharingOptions { Coefficient = -1 })).Message);
        var early = Assert.Throws<InvalidOperationException>(() => Model(new SoftSharingOptions { Penalty = SoftPenalty.Orthogonality }).AuxiliaryLoss());
        Assert.Contains("SoftSharing", early.Message);
        Assert.Contains("Forward", early.Message);
        var input = Assert.Throws<ArgumentException>(() => Model().Forward(Tensor.Zeros([3, 5])));
        Assert.Contains("SoftSharing", input.Message);
        Assert.Contains("(3, 5)", input.Message);
        Assert.Contains("(B, 4)", input.Message);
        var badHead = new SoftSharing(Trunk.Mlp(4, [3]), [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }]);
        var head = Assert.Throws<ArgumentException>(() => badHead.Forward(Tensor.Zeros([3, 4])));
        Assert.Contains("task 't'", head.Message);
        Assert.Contains("(3, 2)", head.Message);
    }

    [Theory]
    [InlineData(SoftPenalty.L2)]
    [InlineData(SoftPenalty.TraceNorm)]
    [InlineData(SoftPenalty.Orthogonality)]
    public void Learns_MultiFashion_via_the_registry(SoftPenalty penalty)
    {
        Init.ManualSeed(1);   // the heads draw from the default generator
        var model = ArchitectureRegistry.Create("soft", LearningHarness.FashionContext(), new SoftSharingOptions { Penalty = penalty });
        Assert.IsType<SoftSharing>(model);
        LearningHarness.AssertLearnsFashion(LearningHarness.TrainOnMultiFashion(model), $"soft ({penalty})");
    }

    [Theory]
    [InlineData(SoftPenalty.L2)]
    [InlineData(SoftPenalty.TraceNorm)]
    [InlineData(SoftPenalty.Orthogonality)]
    public void Learns_synthetic_tasks_via_the_registry(SoftPenalty penalty)
    {
        Init.ManualSeed(1);
        var model = ArchitectureRegistry.Create("soft", LearningHarness.SyntheticContext(), new SoftSharingOptions { Penalty = penalty });
        LearningHarness.AssertLearnsSynthetic(LearningHarness.TrainOnSynthetic(model), $"soft ({penalty})");
    }
}
