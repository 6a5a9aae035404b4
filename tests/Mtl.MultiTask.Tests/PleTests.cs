// CGC and PLE: parameter layout per level, gates as distributions, hand-mixed outputs, errors, and the learning checks.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests;

public class PleTests(ITestOutputHelper output)
{
    private static TaskSpec[] Tasks() =>
    [
        new TaskSpec("a", TaskKind.Classification, 3),
        new TaskSpec("b", TaskKind.Regression, 1) { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) },
    ];

    private static Tensor Input(int batch, int dim, ulong seed = 2) => Tensor.RandN([batch, dim], new Generator(seed));

    [Fact]
    public void Ple_has_one_level_per_stage_with_named_experts_and_gates()
    {
        var model = new Ple(Trunk.Mlp(6, [5, 4], new Generator(1)), Tasks(), new PleOptions { SharedExperts = 3, TaskExperts = 2 }, new Generator(2));
        Assert.Equal(2, model.Levels.Count);
        Assert.Equal(2, model.Options.Levels);
        var p = model.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter.Shape.ToArray());
        Assert.Equal(new[] { 5, 6 }, p["levels.0.shared.2.0.0.weight"]);
        Assert.Equal(new[] { 5, 6 }, p["levels.0.tasks.b.1.0.0.weight"]);
        Assert.Equal(new[] { 4, 5 }, p["levels.1.tasks.a.0.0.0.weight"]);
        Assert.Equal(new[] { 5, 6 }, p["levels.0.gates.a.weight"]);              // 2 own + 3 shared experts, reads x
        Assert.Equal(new[] { 7, 6 }, p["levels.0.shared_gate.weight"]);          // 2·2 task + 3 shared experts
        Assert.Equal(new[] { 5, 5 }, p["levels.1.gates.b.weight"]);              // reads level 0's 5-wide output
        Assert.DoesNotContain(p.Keys, k => k.StartsWith("levels.1.shared_gate", StringComparison.Ordinal));
        Assert.Equal(new[] { 3, 4 }, p["heads.a.weight"]);
        Assert.False(p.ContainsKey("levels.0.shared.3.0.0.weight"));

        var levels = model.GateWeights(Input(5, 6));
        Assert.Equal(2, levels.Count);
        foreach (var level in levels)
            foreach (var g in level.Tasks.Values.Append(level.Shared).OfType<Tensor>())
            {
                foreach (var v in g.ToArray<float>()) Assert.True(v >= 0);
                foreach (var s in g.Sum(1).ToArray<float>()) Assert.Equal(1, s, 5);
            }
        Assert.Equal(new[] { 5, 5 }, levels[0].Tasks["a"].Shape.ToArray());
        Assert.Equal(new[] { 5, 7 }, levels[0].Shared!.Shape.ToArray());
        Assert.Null(levels[1].Shared);
        Assert.Equal(new[] { 5, 1 }, model.Forward(Input(5, 6))["b"].Shape.ToArray());
    }

    [Fact]
    public void Cgc_from_the_registry_is_one_level_of_whole_trunk_copies()
    {
        var context = new ArchitectureContext(Tasks(), Trunk.Mlp(6, [5, 4], new Generator(1)));
        var cgc = Assert.IsType<Ple>(ArchitectureRegistry.Create("cgc", context));
        Assert.Single(cgc.Levels);
        Assert.Null(cgc.Levels[0].SharedGate);
        var names = cgc.NamedParameters().Select(x => x.Name).ToList();
        Assert.Contains("levels.0.shared.0.1.0.weight", names);                   // stage 1 of the only shared expert
        Assert.Contains("levels.0.tasks.a.0.1.0.weight", names);
        Assert.Contains("levels.0.gates.b.bias", names);
        // (1 shared + 2 tasks × 1) trunk copies, two gates over 2 experts reading 6 features, and the heads.
        long trunk = (6 * 5 + 5) + (5 * 4 + 4);
        long expected = 3 * trunk + 2 * (6 * 2 + 2) + (4 * 3 + 3) + (4 * 8 + 8 + 8 * 1 + 1);
        Assert.Equal(expected, cgc.ParameterCount());
        var ple = Assert.IsType<Ple>(ArchitectureRegistry.Create("ple", context, new PleOptions { Levels = 1 }));
        Assert.Equal(expected, ple.ParameterCount());
        Assert.Contains(ArchitectureRegistry.All, a => a.Name == "cgc" && a.OptionsType == typeof(CgcOptions));
        Assert.Contains(ArchitectureRegistry.All, a => a.Name == "ple" && a.OptionsType == typeof(PleOptions));
    }

    [Fact]
    public void A_tasks_output_is_its_head_on_the_gate_weighted_sum_of_its_and_the_shared_experts()
    {
        var model = new Ple(Trunk.Mlp(6, [4], new Generator(1)), Tasks(), new PleOptions { SharedExperts = 2, TaskExperts = 1 }, new Generator(3));
        var x = Input(3, 6);
        var level = model.Levels[0];
        var gate = model.GateWeights(x)[0].Tasks["b"].ToArray<float>();          // (3, 3): [own ; shared 0 ; shared 1]
        var experts = new[] { level.TaskExperts["b"][0], level.Shared[0], level.Shared[1] }.Select(e => e.Forward(x).ToArray<float>()).ToArray();
        var mixed = new float[3 * 4];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int f = 0; f < 4; f++) mixed[i * 4 + f] += gate[i * 3 + j] * experts[j][i * 4 + f];
        var expected = model.Heads["b"].Forward(Tensor.From(mixed, 3, 4)).ToArray<float>();
        var actual = model.Forward(x)["b"].ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void Levels_group_stages_and_gates_read_each_levels_input_on_a_conv_trunk()
    {
        var lenet = new Ple(Trunk.LeNet(new Generator(1)), LearningHarness.FashionSpecs(), generator: new Generator(2));
        Assert.Equal(new[] { 784, 1440, 320 }, lenet.Levels.Select(l => l.InputDim).ToArray());
        Assert.Equal(new[] { 10, 12, 12 }, lenet.Levels[0].OutputShape);
        Assert.Equal(new[] { 2, 1440 }, lenet.Levels[1].Gates["top_left"].Weight.Shape.ToArray());   // 1 own + 1 shared expert
        var y = lenet.Forward(Tensor.RandN([2, 1, 28, 28], new Generator(4)));
        Assert.Equal(new[] { 2, 10 }, y["bottom_right"].Shape.ToArray());

        var grouped = new Ple(Trunk.Mlp(6, [5, 4, 3], new Generator(1)), Tasks(), new PleOptions { Levels = 2 }, new Generator(2));
        Assert.Equal(new[] { (0, 1), (1, 2) }, grouped.Levels.Select(l => (l.FirstStage, l.StageCount)).ToArray());
        Assert.Equal(new[] { 3, 4 }, grouped.NamedParameters().First(p => p.Name == "levels.1.shared.0.1.0.weight").Parameter.Shape.ToArray()); // trunk stage 2
    }

    [Fact]
    public void Bad_options_inputs_and_heads_are_named()
    {
        var trunk = Trunk.Mlp(6, [5, 4], new Generator(1));
        var levels = Assert.Throws<ArgumentException>(() => new Ple(trunk, Tasks(), new PleOptions { Levels = 3 }));
        Assert.Contains("trunk depth 2", levels.Message);
        var none = Assert.Throws<ArgumentException>(() => new Ple(trunk, Tasks(), new PleOptions { SharedExperts = 0, TaskExperts = 0 }));
        Assert.Contains("at least one expert", none.Message);
        var model = new Ple(trunk, Tasks());
        var input = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([5, 7])));
        Assert.Contains("PLE", input.Message);
        Assert.Contains("(5, 7)", input.Message);
        Assert.Contains("(B, 6)", input.Message);
        var badHead = new Ple(trunk, [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }], new PleOptions { Levels = 1 });
        var head = Assert.Throws<ArgumentException>(() => badHead.Forward(Tensor.Zeros([5, 6])));
        Assert.Contains("task 't'", head.Message);
        Assert.Contains("(5, 2)", head.Message);
    }

    [Fact]
    public void Every_parameter_is_trained_and_same_seeds_give_the_same_model()
    {
        var trunk = Trunk.Mlp(6, [5, 4], new Generator(1));
        ExpertArchitectureChecks.EveryParameterGetsAGradient(new Ple(trunk, Tasks(), new PleOptions { SharedExperts = 2, TaskExperts = 2 }, new Generator(2)), Input(16, 6));
        ExpertArchitectureChecks.EveryParameterGetsAGradient(ArchitectureRegistry.Create("cgc", new ArchitectureContext(Tasks(), trunk)), Input(16, 6));
        ExpertArchitectureChecks.SameSeedSameOutputs(() => ArchitectureRegistry.Create("ple", new ArchitectureContext(Tasks(), Trunk.Mlp(6, [5, 4], new Generator(1)))), Input(4, 6));
    }

    [Theory]
    [InlineData("cgc")]
    [InlineData("ple")]
    public void Learns_MultiFashion(string name)
    {
        Init.ManualSeed(5);                                                        // the gates draw from the default generator
        var model = ArchitectureRegistry.Create(name, LearningHarness.FashionContext());
        var result = LearningHarness.TrainOnMultiFashion(model);
        Report(result, name);
        LearningHarness.AssertLearnsFashion(result, name);
    }

    [Theory]
    [InlineData("cgc")]
    [InlineData("ple")]
    public void Learns_synthetic_tasks(string name)
    {
        Init.ManualSeed(5);
        var model = ArchitectureRegistry.Create(name, LearningHarness.SyntheticContext());
        var result = LearningHarness.TrainOnSynthetic(model);
        Report(result, name);
        LearningHarness.AssertLearnsSynthetic(result, name);
    }

    private void Report(Mtl.MultiTask.Training.EvaluationResult result, string name)
    {
        foreach (var (task, metrics) in result.Metrics)
            output.WriteLine($"{name} {task}: " + string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value:F3}")));
    }
}
