// Hierarchical tasks: heads at chosen depths, chained predictions in dependency order, chain errors, detaching, learning.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests;

public class HierarchicalTests(ITestOutputHelper output)
{
    private static Dictionary<string, IReadOnlyList<string>> Chains(params (string Task, string[] From)[] chains) =>
        chains.ToDictionary(c => c.Task, c => (IReadOnlyList<string>)c.From, StringComparer.Ordinal);

    // A smooth MLP trunk (for finite differences): 6 → 8 → 5.
    private static Trunk SmoothTrunk(Generator g) => new([6],
        () => new Sequential(new Linear(6, 8, generator: g), new Tanh()),
        () => new Sequential(new Linear(8, 5, generator: g), new Tanh()));

    // One task of each chainable kind: a coarse class at depth 0, labels and a value at the last stage.
    private static TaskSpec[] ThreeKinds() =>
    [
        new TaskSpec("coarse", TaskKind.Classification, 3) { AttachDepth = 0 },
        new TaskSpec("tags", TaskKind.MultiLabel, 2),
        new TaskSpec("value", TaskKind.Regression, 1),
    ];

    [Fact]
    public void Heads_read_their_depth_and_chained_predictions_widen_the_head_input()
    {
        var model = new Hierarchical(SmoothTrunk(new Generator(1)), ThreeKinds(),
            new HierarchicalOptions { Chains = Chains(("value", ["tags", "coarse"]), ("tags", ["coarse"])) });
        Assert.Equal(0, model.StageOf("coarse"));
        Assert.Equal(1, model.StageOf("value"));
        Assert.Equal(8, model.HeadInputWidth("coarse"));
        Assert.Equal(5 + 3, model.HeadInputWidth("tags"));
        Assert.Equal(5 + 2 + 3, model.HeadInputWidth("value"));
        Assert.Equal(new[] { "tags", "coarse" }, model.ChainInputsOf("value"));
        Assert.Equal(new[] { "coarse", "tags", "value" }, model.Order);
        var shapes = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Shape.ToArray());
        Assert.Equal(new[] { 8, 6 }, shapes["trunk.0.0.weight"]);
        Assert.Equal(new[] { 3, 8 }, shapes["heads.coarse.weight"]);
        Assert.Equal(new[] { 1, 10 }, shapes["heads.value.weight"]);
        Assert.Equal(new[] { "coarse", "tags", "value" }, model.Forward(Tensor.Zeros([4, 6])).Keys.ToArray());

        var shallow = new Hierarchical(SmoothTrunk(new Generator(1)), [new TaskSpec("a", TaskKind.Regression, 1) { AttachDepth = 0 }]);
        Assert.Single(shallow.Trunk);                                                    // stages past the deepest head are not built
        Assert.DoesNotContain(shallow.NamedParameters(), p => p.Name.StartsWith("trunk.1.", StringComparison.Ordinal));
    }

    [Fact]
    public void Chained_tasks_receive_probabilities_or_values_of_the_upstream_outputs()
    {
        var model = new Hierarchical(SmoothTrunk(new Generator(1)), ThreeKinds(),
            new HierarchicalOptions { Chains = Chains(("value", ["coarse", "tags"])) });
        model.Eval();
        var x = Tensor.RandN([4, 6], new Generator(2));
        var outputs = model.Forward(x);
        var h1 = model.Trunk[1].Forward(model.Trunk[0].Forward(x));
        var input = JoinOps.Concat([h1, outputs["coarse"].Softmax(1), outputs["tags"].Sigmoid()], 1);   // (4, 5 + 3 + 2)
        Assert.Equal(model.Heads["value"].Forward(input).ToArray<float>(), outputs["value"].ToArray<float>());

        var raw = Tensor.From(new float[] { 0.5f, -2f }, 2, 1);
        Assert.Same(raw, Hierarchical.ChainPrediction(new TaskSpec("r", TaskKind.Regression, 1), raw));
        var p = Hierarchical.ChainPrediction(new TaskSpec("c", TaskKind.Classification, 3), Tensor.RandN([2, 3], new Generator(3)));
        foreach (var s in p.Sum(1).ToArray<float>()) Assert.Equal(1, s, 5);
        var wrong = Assert.Throws<ArgumentException>(() => Hierarchical.ChainPrediction(new TaskSpec("c", TaskKind.Classification, 3), Tensor.Zeros([2, 4]), "d"));
        Assert.Contains("'c'", wrong.Message);
        Assert.Contains("(2, 4)", wrong.Message);
    }

    [Fact]
    public void Tasks_run_in_dependency_order_and_bad_chains_name_the_tasks()
    {
        TaskSpec[] abc = [new("a", TaskKind.Regression, 1), new("b", TaskKind.Regression, 1), new("c", TaskKind.Regression, 1)];
        Assert.Equal(new[] { "a", "b", "c" }, Hierarchical.TopologicalOrder(abc, null));
        Assert.Equal(new[] { "b", "c", "a" }, Hierarchical.TopologicalOrder(abc, Chains(("a", ["c"]), ("c", ["b"]))));

        var cycle = Assert.Throws<ArgumentException>(() => Hierarchical.TopologicalOrder(abc, Chains(("a", ["b"]), ("b", ["c"]), ("c", ["a"]))));
        Assert.Contains("cycle", cycle.Message);
        Assert.Contains("a → b → c → a", cycle.Message);
        var self = Assert.Throws<ArgumentException>(() => Hierarchical.TopologicalOrder(abc, Chains(("b", ["b"]))));
        Assert.Contains("'b'", self.Message);
        Assert.Contains("itself", self.Message);
        var unknown = Assert.Throws<ArgumentException>(() => Hierarchical.TopologicalOrder(abc, Chains(("b", ["z"]))));
        Assert.Contains("'b'", unknown.Message);
        Assert.Contains("'z'", unknown.Message);
        var unknownKey = Assert.Throws<ArgumentException>(() => Hierarchical.TopologicalOrder(abc, Chains(("q", ["a"]))));
        Assert.Contains("'q'", unknownKey.Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => Hierarchical.TopologicalOrder(abc, Chains(("c", ["a", "a"])))).Message);

        var viaRegistry = Assert.Throws<ArgumentException>(() => ArchitectureRegistry.Create("hierarchical", LearningHarness.SyntheticContext(),
            new HierarchicalOptions { Chains = Chains(("task1", ["task2"]), ("task2", ["task1"])) }));
        Assert.Contains("task1 → task2 → task1", viaRegistry.Message);
    }

    [Fact]
    public void Depths_that_do_not_exist_or_are_not_flat_name_the_task_stage_and_shape()
    {
        var fashion = LearningHarness.FashionContext();
        var specs = LearningHarness.FashionSpecs();
        specs[1] = specs[1] with { AttachDepth = 0 };
        var image = Assert.Throws<ArgumentException>(() => new Hierarchical(fashion.Trunk, specs));
        Assert.Contains("task 'bottom_right'", image.Message);
        Assert.Contains("stage 0", image.Message);
        Assert.Contains("(B, 10, 12, 12)", image.Message);
        specs[1] = specs[1] with { AttachDepth = 3 };
        var outside = Assert.Throws<ArgumentException>(() => new Hierarchical(fashion.Trunk, specs));
        Assert.Contains("task 'bottom_right'", outside.Message);
        Assert.Contains("3 stages", outside.Message);

        var model = new Hierarchical(SmoothTrunk(new Generator(1)), ThreeKinds());
        var input = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([2, 7])));
        Assert.Contains("(2, 7)", input.Message);
        Assert.Contains("(B, 6)", input.Message);
        var sequence = Assert.Throws<ArgumentException>(() => new Hierarchical(SmoothTrunk(new Generator(1)),
            [new TaskSpec("pos", TaskKind.SequenceLabeling, 4), new TaskSpec("v", TaskKind.Regression, 1)],
            new HierarchicalOptions { Chains = Chains(("v", ["pos"])) }));
        Assert.Contains("'pos'", sequence.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_detached_chains_the_downstream_loss_gives_the_upstream_head_no_gradient(bool detach)
    {
        var model = new Hierarchical(SmoothTrunk(new Generator(1)), ThreeKinds(),
            new HierarchicalOptions { Chains = Chains(("value", ["coarse"])), DetachChainInputs = detach });
        var outputs = model.Forward(Tensor.RandN([5, 6], new Generator(2)));
        outputs["value"].Square().Sum().Backward();
        var upstream = model.Heads["coarse"].Parameters().Select(p => p.Grad?.ToDoubleArray() ?? []).SelectMany(g => g).ToArray();
        if (detach) Assert.True(upstream.All(v => v == 0), "the upstream head got a gradient through a detached chain");
        else Assert.Contains(upstream, v => v != 0);
        Assert.Contains(model.Trunk[0].Parameters().First().Grad!.ToDoubleArray(), v => v != 0);   // the trunk still learns from it
    }

    [Fact]
    public void Every_parameter_gets_the_gradient_finite_differences_give()
    {
        var model = new Hierarchical(SmoothTrunk(new Generator(1)), ThreeKinds(),
            new HierarchicalOptions { Chains = Chains(("value", ["tags", "coarse"]), ("tags", ["coarse"])) });
        var x = Tensor.RandN([5, 6], new Generator(3));
        var project = StagedModelGradients.Projection();
        Tensor Loss() => project(model.Forward(x));
        StagedModelGradients.AssertEveryParameterGetsGradient(model, Loss);
        StagedModelGradients.AssertMatchesFiniteDifferences(model, Loss);
    }

    [Fact]
    public void Learns_MultiFashion_with_one_task_at_depth_1_feeding_the_other()
    {
        Init.ManualSeed(7);
        var specs = LearningHarness.FashionSpecs();
        specs[0] = specs[0] with { AttachDepth = 1 };                                               // top_left reads the 320 conv features
        var model = (Hierarchical)ArchitectureRegistry.Create("hierarchical", LearningHarness.FashionContext() with { Tasks = specs },
            new HierarchicalOptions { Chains = Chains(("bottom_right", ["top_left"])) });
        Assert.Equal(50 + 10, model.HeadInputWidth("bottom_right"));
        var result = LearningHarness.TrainOnMultiFashion(model);
        output.WriteLine(LearningReport.Format(result));
        LearningHarness.AssertLearnsFashion(result, "hierarchical");
    }

    [Fact]
    public void Learns_synthetic_tasks_with_task1_at_depth_0_feeding_task2()
    {
        Init.ManualSeed(7);
        var specs = LearningHarness.SyntheticSpecs();
        specs[0] = specs[0] with { AttachDepth = 0 };
        var model = ArchitectureRegistry.Create("hierarchical", LearningHarness.SyntheticContext() with { Tasks = specs },
            new HierarchicalOptions { Chains = Chains(("task2", ["task1"])) });
        var result = LearningHarness.TrainOnSynthetic(model);
        output.WriteLine(LearningReport.Format(result));
        LearningHarness.AssertLearnsSynthetic(result, "hierarchical");
    }

    [Fact]
    public void Learns_the_Fashion_hierarchy_with_the_coarse_group_at_depth_1_feeding_the_item()
    {
        Init.ManualSeed(7);
        var train = FashionHierarchy.Build(Samples.FashionTrain());
        var test = FashionHierarchy.Build(Samples.FashionTest());
        TaskSpec[] specs =
        [
            new(FashionMnist.TaskName, TaskKind.Classification, 10),
            new(FashionHierarchy.GroupTask, TaskKind.Classification, FashionHierarchy.GroupNames.Count) { AttachDepth = 1 },
        ];
        var model = new Hierarchical(Trunk.LeNet(new Generator(3)), specs,
            new HierarchicalOptions { Chains = Chains((FashionMnist.TaskName, [FashionHierarchy.GroupTask])) });
        Assert.Equal(new[] { FashionHierarchy.GroupTask, FashionMnist.TaskName }, model.Order);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05, Momentum = 0.9 }), new TrainerOptions { Epochs = 2, RestoreBest = false });
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 4 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 250 });
        var result = trainer.Fit(trainLoader, testLoader).Last!;
        output.WriteLine(LearningReport.Format(result));
        // Single Fashion-MNIST items are far easier than MultiFashion pairs: chance is 0.1 (item) and 0.3 (group, tops).
        double item = result.Metrics[FashionMnist.TaskName]["accuracy"], group = result.Metrics[FashionHierarchy.GroupTask]["accuracy"];
        Assert.True(item > 0.6, $"item accuracy {item:F3} (chance 0.1)");
        Assert.True(group > 0.75, $"group accuracy {group:F3} (majority group 0.3)");
    }
}
