// The contract every registered strategy keeps, checked over the whole registry (a new strategy is tested on arrival).
using Mtl.MultiTask.Balancing;
using Mtl.NN.Serialization;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class StrategyContractTests
{
    // Strategies that need the trainer (validation data, look-ahead steps) cannot be called on a bare matrix.
    private static bool Standalone(StrategyInfo info) => info.Family != StrategyFamily.Bilevel;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var info in StrategyRegistry.All.Where(Standalone)) data.Add(info.Name);
        return data;
    }

    [Fact]
    public void The_registry_lists_every_method_the_catalogue_promises_once_they_land()
    {
        var names = StrategyRegistry.All.Select(s => s.Name).ToHashSet();
        foreach (var n in new[] { "ew", "mean", "static", "pcgrad" }) Assert.Contains(n, names);
        Assert.All(StrategyRegistry.All, s => Assert.Equal(s.Name.ToLowerInvariant(), s.Name));
        var e = Assert.Throws<KeyNotFoundException>(() => StrategyRegistry.Create("pc-grad"));
        Assert.Contains("unknown balancing strategy 'pc-grad'", e.Message);
        Assert.Contains("pcgrad", e.Message);
    }

    [Theory, MemberData(nameof(Names))]
    public void Output_has_P_values_and_K_weights_that_reproduce_it(string name)
    {
        var g = RandomMatrix(3, 11, 1);
        var r = StrategyRegistry.Create(name).Combine(g, new StrategyStep(RandomLosses(3, 1)));
        Assert.Equal(11, r.Combined.Length);
        Assert.All(r.Combined, x => Assert.True(double.IsFinite(x)));
        if (r.Weights is { } w)
        {
            Assert.Equal(3, w.Length);
            var again = new double[11];
            g.WeightedSum(w, again);
            AssertClose(r.Combined, again, 1e-8, $"{name}: wᵀG vs combined");
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Permuting_the_tasks_permutes_the_weights_and_leaves_the_combined_gradient(string name)
    {
        var strategy = StrategyRegistry.Create(name);
        if (strategy.IsStochastic) return;   // its random draws follow task order; equal in distribution only
        var g = RandomMatrix(3, 9, 2);
        var losses = RandomLosses(3, 2);
        int[] perm = [2, 0, 1];
        var pg = new GradientMatrix(3, 9);
        for (int k = 0; k < 3; k++) g.Row(perm[k]).CopyTo(pg.Row(k));
        var a = strategy.Combine(g, new StrategyStep(losses));
        var b = StrategyRegistry.Create(name).Combine(pg, new StrategyStep(perm.Select(i => losses[i]).ToArray()));
        AssertClose(a.Combined, b.Combined, 1e-6, $"{name}: combined");
        if (a.Weights is { } wa) AssertClose(perm.Select(i => wa[i]).ToArray(), b.Weights!, 1e-6, $"{name}: weights");
    }

    [Theory, MemberData(nameof(Names))]
    public void Equal_task_gradients_give_that_gradient_back_up_to_a_positive_scale(string name)
    {
        var one = RandomMatrix(1, 7, 3).Row(0).ToArray();
        var r = Combine(name, [one, one, one], [0.9, 0.9, 0.9]);
        Assert.True(Norm(r.Combined) > 0, $"{name}: combined gradient is zero");
        Assert.True(Cosine(r.Combined, one) > 1 - 1e-9, $"{name}: cosine {Cosine(r.Combined, one)}");
    }

    [Theory, MemberData(nameof(Names))]
    public void With_one_task_it_is_plain_gradient_descent_up_to_a_positive_scale(string name)
    {
        var one = RandomMatrix(1, 6, 4).Row(0).ToArray();
        var r = Combine(name, [one], [1.7]);
        Assert.True(Norm(r.Combined) > 0, $"{name}: combined gradient is zero");
        Assert.True(Cosine(r.Combined, one) > 1 - 1e-9, $"{name}: cosine {Cosine(r.Combined, one)}");
    }

    [Theory, MemberData(nameof(Names))]
    public void Saved_state_continues_bit_for_bit_and_two_fresh_instances_agree(string name)
    {
        var a = StrategyRegistry.Create(name);
        var twin = StrategyRegistry.Create(name);
        StrategyResult? last = null;
        for (int s = 1; s <= 3; s++)
        {
            var step = new StrategyStep(RandomLosses(3, (ulong)s), s, s / 2);
            var ra = a.Combine(RandomMatrix(3, 8, (ulong)s), step);
            var rt = twin.Combine(RandomMatrix(3, 8, (ulong)s), step);
            Assert.Equal(ra.Combined, rt.Combined);
            last = ra;
        }
        Assert.NotNull(last);
        var restored = StrategyRegistry.Create(name);
        restored.LoadStateDict(a.StateDict());
        Assert.Equal(3, restored.Tasks);
        var next = new StrategyStep(RandomLosses(3, 4), 4, 2);
        var expected = a.Combine(RandomMatrix(3, 8, 4), next);
        var actual = restored.Combine(RandomMatrix(3, 8, 4), next);
        Assert.Equal(expected.Combined, actual.Combined);
    }

    [Theory, MemberData(nameof(Names))]
    public void State_survives_a_checkpoint_file_bit_for_bit_with_long_arrays_stored_as_tensors(string name)
    {
        // K = 3, P = 40: a K×P buffer (DB-MTL, MoCo) has 120 values, over StrategyState.TextLimit, so it goes in as a tensor.
        var a = StrategyRegistry.Create(name);
        for (int s = 1; s <= 3; s++) a.Combine(RandomMatrix(3, 40, (ulong)s), new StrategyStep(RandomLosses(3, (ulong)s), s, s / 2));
        var state = a.StateDict();
        Assert.All(state.Values.Values, v => Assert.True(v.Split(',').Length <= StrategyState.TextLimit, $"{name}: a long array kept as text"));
        var content = new CheckpointContent();
        content.Components["strategy"] = state;
        string path = Path.Combine(Path.GetTempPath(), $"mtl-strategy-{name}-{Environment.ProcessId}.safetensors");
        try
        {
            Checkpoint.Save(path, content);
            var restored = StrategyRegistry.Create(name);
            restored.LoadStateDict(Checkpoint.Load(path).Components["strategy"]);
            var next = new StrategyStep(RandomLosses(3, 4), 4, 2);
            Assert.Equal(a.Combine(RandomMatrix(3, 40, 4), next).Combined, restored.Combine(RandomMatrix(3, 40, 4), next).Combined);
        }
        finally { File.Delete(path); }
    }

    [Theory, MemberData(nameof(Names))]
    public void Mismatched_inputs_are_refused_naming_the_strategy(string name)
    {
        var s = StrategyRegistry.Create(name);
        var e = Assert.Throws<ArgumentException>(() => s.Combine(RandomMatrix(3, 4, 5), new StrategyStep([1.0, 2.0])));
        Assert.Contains($"'{name}'", e.Message);
        s.Combine(RandomMatrix(3, 4, 5), new StrategyStep([1.0, 2.0, 3.0]));
        var k = Assert.Throws<ArgumentException>(() => s.Combine(RandomMatrix(2, 4, 5), new StrategyStep([1.0, 2.0])));
        Assert.Contains("3 tasks", k.Message);
    }
}
