// Trunk stage probing and errors; the architecture registry builds models by name and rejects unknown names/options.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

public class TrunkAndRegistryTests
{
    [Fact]
    public void LeNet_trunk_reports_stage_shapes_without_disturbing_the_default_generator()
    {
        Init.ManualSeed(11);
        var before = Init.DefaultGenerator.GetState();
        var trunk = Trunk.LeNet();
        Assert.Equal(new[] { 10, 12, 12 }, trunk.StageShapes[0]);
        Assert.Equal(new[] { 320 }, trunk.StageShapes[1]);
        Assert.Equal(50, trunk.Width());
        Assert.Equal(320, trunk.Width(1));
        Assert.Equal(before, Init.DefaultGenerator.GetState());
        var e = Assert.Throws<ArgumentException>(() => trunk.Width(0));
        Assert.Contains("stage 0 outputs (B, 10, 12, 12)", e.Message);
    }

    [Fact]
    public void LeNet_width_scales_every_layer()
    {
        // Half width: Conv(1→5, 5) 125 + 5, Conv(5→10, 5) 1250 + 10, Linear(160→25) 4000 + 25 = 5,415 parameters.
        var half = Trunk.LeNet(0.5);
        Assert.Equal(new[] { 5, 12, 12 }, half.StageShapes[0]);
        Assert.Equal(new[] { 160 }, half.StageShapes[1]);
        Assert.Equal(25, half.Width());
        Assert.Equal(5_415, half.Build().ParameterCount());
        Assert.Equal(Trunk.LeNet().Build().ParameterCount(), Trunk.LeNet(1.0).Build().ParameterCount());
        Assert.Throws<ArgumentOutOfRangeException>(() => Trunk.LeNet(0));
    }

    [Fact]
    public void Each_build_has_fresh_parameters()
    {
        var trunk = Trunk.Mlp(4, [3], new Generator(2));
        var a = trunk.Build().Parameters().First().ToArray<float>();
        var b = trunk.Build().Parameters().First().ToArray<float>();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Mismatched_stages_and_inputs_are_named()
    {
        var bad = new Trunk([6], () => new Linear(6, 4), () => new Linear(5, 2));
        var e = Assert.Throws<ArgumentException>(() => bad.StageShapes);
        Assert.Contains("stage 1", e.Message);
        Assert.Contains("(2, 4)", e.Message);
        var ok = Trunk.Mlp(6, [4]);
        var input = Assert.Throws<ArgumentException>(() => ok.CheckInput(Tensor.Zeros([3, 5]), "hard"));
        Assert.Contains("(3, 5)", input.Message);
        Assert.Contains("(B, 6)", input.Message);
    }

    [Fact]
    public void Registry_builds_by_name_and_lists_known_names_on_error()
    {
        var context = new ArchitectureContext([new TaskSpec("a", TaskKind.Classification, 3), new TaskSpec("b", TaskKind.Regression, 1)],
            Trunk.Mlp(5, [8]));
        var hard = ArchitectureRegistry.Create("hard", context);
        Assert.IsType<HardSharing>(hard);
        Assert.Equal(new[] { 4, 3 }, hard.Forward(Tensor.Zeros([4, 5]))["a"].Shape.ToArray());
        var mmoe = (Mmoe)ArchitectureRegistry.Create("mmoe", context, new MmoeOptions { NumExperts = 3 });
        Assert.Equal(3, mmoe.Experts.Count);
        var unknown = Assert.Throws<KeyNotFoundException>(() => ArchitectureRegistry.Create("hrad", context));
        Assert.Contains("hrad", unknown.Message);
        Assert.Contains("hard", unknown.Message);
        var wrong = Assert.Throws<ArgumentException>(() => ArchitectureRegistry.Create("hard", context, new MmoeOptions()));
        Assert.Contains("HardSharingOptions", wrong.Message);
        Assert.Contains(ArchitectureRegistry.All, a => a.Name == "mmoe" && a.OptionsType == typeof(MmoeOptions));
    }
}

public class RegisteredBaselinesLearnTests
{
    [Theory]
    [InlineData("hard")]
    [InlineData("mmoe")]
    public void Learns_MultiFashion(string name)
    {
        var model = ArchitectureRegistry.Create(name, LearningHarness.FashionContext(), name == "mmoe" ? new MmoeOptions { NumExperts = 3 } : null);
        LearningHarness.AssertLearnsFashion(LearningHarness.TrainOnMultiFashion(model), name);
    }

    [Theory]
    [InlineData("hard")]
    [InlineData("mmoe")]
    public void Learns_synthetic_tasks(string name)
    {
        var model = ArchitectureRegistry.Create(name, LearningHarness.SyntheticContext());
        LearningHarness.AssertLearnsSynthetic(LearningHarness.TrainOnSynthetic(model), name);
    }
}
