// Training with MultiTaskTrainer after freezing by pattern: frozen values stay bit-identical, the rest moves.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.NN.Transfer;

namespace Mtl.MultiTask.Tests.Transfer;

public class FrozenTrainingTests
{
    private static DataLoader Loader() =>
        new(SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 256, Dim = 20, Correlation = 0.5, SinTerms = 2, Seed = 3 }).Dataset,
            new DataLoaderOptions { BatchSize = 32, Shuffle = true, Seed = 5 });

    private static Dictionary<string, float[]> Snapshot(Module m) =>
        m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToFloatArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Frozen_trunk_stays_bit_identical_while_heads_train(bool adam)
    {
        var model = HardSharing.Create(LearningHarness.SyntheticContext(), new HardSharingOptions());
        Optimizer opt = adam
            ? new Adam(model.Parameters(), new AdamOptions { Lr = 0.01, WeightDecay = 1e-3 })
            : new SGD(model.Parameters(), new SGDOptions { Lr = 0.01, Momentum = 0.9, WeightDecay = 1e-3 });
        using var loader = Loader();
        // a few steps unfrozen first: the trunk gets optimiser state (momentum, Adam moments) and a gradient
        new MultiTaskTrainer(model, opt, new TrainerOptions { MaxSteps = 3, RestoreBest = false }).Fit(loader);
        Assert.Contains(model.Parameters(), p => p.Grad is not null);

        var frozen = model.FreezeMatching("encoder.*");
        Assert.Equal(["encoder.0.0.weight", "encoder.0.0.bias", "encoder.1.0.weight", "encoder.1.0.bias"], frozen);
        var before = Snapshot(model);
        new MultiTaskTrainer(model, opt, new TrainerOptions { MaxSteps = 5, RestoreBest = false }).Fit(loader);
        var after = Snapshot(model);
        foreach (var (name, values) in before)
        {
            if (frozen.Contains(name)) Assert.Equal(values, after[name]);
            else Assert.NotEqual(values, after[name]);
        }
    }

    [Fact]
    public void Discriminative_groups_train_with_the_trainer()
    {
        var model = HardSharing.Create(LearningHarness.SyntheticContext(), new HardSharingOptions());
        var plan = DiscriminativeLr.Plan(model, 0.01, [new LrRule("encoder.*", 0.1)]);
        Assert.Equal(["encoder.*", DiscriminativeLr.DefaultRule], plan.Select(g => g.Rule));
        Assert.Equal(model.Parameters().Count(), plan.Sum(g => g.Names.Count));
        var opt = new Adam(plan.Select(g => g.Group), new AdamOptions { Lr = 0.01 });
        var before = Snapshot(model);
        using var loader = Loader();
        new MultiTaskTrainer(model, opt, new TrainerOptions { MaxSteps = 2, RestoreBest = false }).Fit(loader);
        var after = Snapshot(model);
        Assert.All(before, kv => Assert.NotEqual(kv.Value, after[kv.Key]));
        Assert.Equal([0.001, 0.01], opt.ParamGroups.Select(g => g.Lr).Select(l => Math.Round(l, 12)));
    }
}
