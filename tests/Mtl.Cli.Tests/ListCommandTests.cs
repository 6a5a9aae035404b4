// `mtl list`: its entries and option tables come from the registries, including entries registered after start-up.
using Mtl.Cli.Config;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.Cli.Tests;

/// <summary>Options of a strategy registered by the test only.</summary>
public sealed record ProbeStrategyOptions
{
    /// <summary>An option with a default to show.</summary>
    public double Temperature { get; init; } = 2.5;
}

public class ListCommandTests
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        StrategyRegistry.Add<ProbeStrategyOptions>("cli-test-probe", StrategyFamily.LossWeighting, "a strategy registered by a test", _ => new EqualWeighting(false));
        return true;
    });

    [Fact]
    public void Every_registered_architecture_is_listed_with_each_option_type_and_default()
    {
        var r = CliRun.Mtl("list", "architectures");
        Assert.Equal(0, r.ExitCode);
        foreach (var a in ArchitectureRegistry.All)
        {
            Assert.Contains($"  {a.Name} — {a.Summary}", r.Out);
            foreach (var f in OptionsSchema.Fields(a.OptionsType)) Assert.Matches($@"\n +{f.Key} +{System.Text.RegularExpressions.Regex.Escape(OptionsSchema.TypeName(f.Type, f.Nullable))} += ", r.Out);
        }
        Assert.Contains("num_experts   int  = 8", r.Out);
        Assert.Contains("penalty      l2|trace_norm|orthogonality  = l2", r.Out);
    }

    [Fact]
    public void Strategies_come_from_the_registry_including_new_registrations()
    {
        Assert.True(Registered.Value);
        var r = CliRun.Mtl("list", "strategies");
        Assert.Equal(0, r.ExitCode);
        foreach (var s in StrategyRegistry.All) Assert.Contains($"  {s.Name} — ", r.Out);
        Assert.Contains("  cli-test-probe — [loss_weighting] a strategy registered by a test\n      temperature  float  = 2.5\n", r.Out);
        Assert.Contains("  pcgrad — [gradient_combination] ", r.Out);
        Assert.Contains("      seed  uint  = 0", r.Out);
    }

    [Fact]
    public void Datasets_optimizers_trunks_schedules_and_schedulers_are_listed()
    {
        var r = CliRun.Mtl("list");
        Assert.Equal(0, r.ExitCode);
        foreach (var heading in new[] { "datasets (data.name):", "trunks (trunk.name):", "architectures (architecture.name):", "strategies (strategy.name):", "optimizers (optimizer.name):", "schedules (schedule.name):", "schedulers (data.scheduler.name):" })
            Assert.Contains(heading, r.Out);
        foreach (var name in new[] { "multifashion", "multimnist", "synthetic", "synthetic-text", "text", "lenet", "mlp", "sgd", "adam", "adamw", "cosine", "warmup-cosine" })
            Assert.Contains($"  {name} — ", r.Out);
        Assert.Contains("betas         [float, float]  = [0.9, 0.999]", r.Out);
        Assert.Contains("weight_decay  float           = 0.01", r.Out);   // AdamW's default
    }

    [Fact]
    public void Unknown_kind_is_a_usage_error()
    {
        var r = CliRun.Mtl("list", "models");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("models", r.Err);
    }
}
