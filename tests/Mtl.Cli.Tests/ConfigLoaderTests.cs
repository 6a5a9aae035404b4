// The config loader: defaults, the built-in example, --set overrides, typed values, snake_case keys, round trips.
using Mtl.Cli.Config;
using Mtl.Cli.Model;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing.Strategies;
using Mtl.NN.Optim;

namespace Mtl.Cli.Tests;

public class ConfigLoaderTests
{
    [Fact]
    public void The_built_in_default_is_examples_default_yaml()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(CliRun.Examples, "default.yaml")), ConfigLoader.DefaultYaml);
        var c = ConfigLoader.LoadDefault();
        Assert.Equal("default", c.Name);
        Assert.Equal(("multifashion", "lenet", "hard", "ew", "sgd"), (c.Data.Name, c.Trunk.Name, c.Architecture.Name, c.Strategy.Name, c.Optimizer.Name));
        Assert.Equal(new SGDOptions { Lr = 0.05, Momentum = 0.9 }, c.Optimizer.Options);
        Assert.Equal(["top_left", "bottom_right"], c.Tasks.Keys);
        Assert.Null(c.Schedule);
    }

    [Fact]
    public void Left_out_sections_take_their_defaults_and_the_trunk_follows_the_data()
    {
        var c = ConfigLoader.LoadText("data: synthetic\n", "x.yaml", "x");
        Assert.Equal("x", c.Name);
        Assert.Equal(("mlp", "hard", "ew", "sgd"), (c.Trunk.Name, c.Architecture.Name, c.Strategy.Name, c.Optimizer.Name));
        Assert.Equal(new TrainerSettings(), c.Trainer);
        Assert.Equal(["task1", "task2"], c.Tasks.Keys);
        Assert.Equal("text", ConfigLoader.LoadText("data: text\n", "t.yaml", "t").Trunk.Name);
    }

    [Fact]
    public void Options_records_are_set_by_reflection_from_snake_case_keys()
    {
        var c = ConfigLoader.LoadText("""
            data: {name: multifashion}
            architecture:
              name: hierarchical
              chains: {bottom_right: [top_left]}
              detach_chain_inputs: true
            strategy: {name: static, weights: [1, 0.5]}
            optimizer: {name: adam, lr: 0.002, betas: [0.8, 0.99], amsgrad: true}
            schedule: {name: cosine, eta_min: 0.0001}
            trainer: {epochs: 2, gradient_space: representation, max_steps: 7, patience: 1}
            tasks:
              bottom_right: {head: [32, 16], attach_depth: 2}
            """, "x.yaml", "x");
        var arch = Assert.IsType<HierarchicalOptions>(c.Architecture.Options);
        Assert.Equal(["top_left"], arch.Chains!["bottom_right"]);
        Assert.True(arch.DetachChainInputs);
        Assert.Equal([1, 0.5], Assert.IsType<StaticWeightingOptions>(c.Strategy.Options).Weights!);
        Assert.Equal(new AdamOptions { Lr = 0.002, Betas = (0.8, 0.99), Amsgrad = true }, c.Optimizer.Options);
        Assert.Equal(new CosineSchedule { EtaMin = 0.0001 }, c.Schedule!.Options);
        Assert.Equal(new TrainerSettings { Epochs = 2, GradientSpace = Mtl.MultiTask.Balancing.GradientSpace.Representation, MaxSteps = 7, Patience = 1 }, c.Trainer);
        Assert.Equal([32, 16], c.Tasks["bottom_right"].Head);
        Assert.Equal(2, c.Tasks["bottom_right"].AttachDepth);
    }

    [Fact]
    public void Set_overrides_change_values_add_options_and_switch_entries()
    {
        var c = ConfigLoader.LoadDefault(["architecture.name=mmoe", "architecture.num_experts=3", "strategy.name=pcgrad", "strategy.seed=5",
            "optimizer.lr=0.01", "tasks.top_left.head=[64]", "schedule.name=step", "trainer.epochs=1", "name=quick"]);
        Assert.Equal(new MmoeOptions { NumExperts = 3 }, c.Architecture.Options);
        Assert.Equal(new PcGradOptions { Seed = 5 }, c.Strategy.Options);
        Assert.Equal(0.01, ((SGDOptions)c.Optimizer.Options).Lr);
        Assert.Equal([64], c.Tasks["top_left"].Head);
        Assert.Equal("step", c.Schedule!.Name);
        Assert.Equal(1, c.Trainer.Epochs);
        Assert.Equal("quick", c.Name);
    }

    [Fact]
    public void The_resolved_config_reads_back_unchanged()
    {
        foreach (var file in Directory.GetFiles(CliRun.Examples, "*.yaml"))
        {
            var yaml = ConfigWriter.ToYaml(ConfigLoader.LoadFile(file));
            Assert.Equal(yaml, ConfigWriter.ToYaml(ConfigLoader.LoadText(yaml, "resolved.yaml", "other")));
        }
    }

    [Theory]
    [InlineData("NumExperts", "num_experts")]
    [InlineData("TMax", "t_max")]
    [InlineData("Beta1", "beta1")]
    [InlineData("SenerKoltun2018", "sener_koltun2018")]
    [InlineData("HTMLParser", "html_parser")]
    [InlineData("Lr", "lr")]
    public void Property_names_become_snake_case_keys(string property, string key) => Assert.Equal(key, OptionsSchema.SnakeCase(property));
}
