// The docs/transfer.md recipe: a trunk trained on one task, loaded from a checkpoint, frozen, with a new head trained.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.NN.Serialization;
using Mtl.NN.Transfer;

namespace Mtl.MultiTask.Tests.Transfer;

public class ProxyLayerTests
{
    private static TaskSpec Task(string name) => new(name, TaskKind.Regression, 1)
    { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) };

    [Fact]
    public void A_frozen_trained_trunk_with_a_new_head_learns_the_new_task()
    {
        Init.ManualSeed(3);
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 2000, Dim = 20, Correlation = 0.9, SinTerms = 2, Seed = 3 }).Dataset;
        var train = data.Subset(Enumerable.Range(0, 1500).ToArray());
        var test = data.Subset(Enumerable.Range(1500, 500).ToArray());
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 128, Shuffle = true, Seed = 5 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 500 });

        // 1. train a trunk on task1 alone and checkpoint it
        var trunk = Trunk.Mlp(20, [32, 16], new Generator(3));
        var source = new HardSharing(trunk.Build(), trunk.Width(), [Task("task1")]);
        var sourceOpt = new Adam(source.Parameters(), new AdamOptions { Lr = 0.005 });
        new MultiTaskTrainer(source, sourceOpt, new TrainerOptions { Epochs = 8, RestoreBest = false }).Fit(trainLoader);
        var dir = Directory.CreateTempSubdirectory("mtl-proxy-");
        try
        {
            string path = Path.Combine(dir.FullName, "trained.safetensors");
            Checkpoint.Save(path, CheckpointContent.Capture(source, new Dictionary<string, IStateful> { ["optim"] = sourceOpt }, step: 1));

            // 2-3. a fresh model for task2 with the trained trunk; the old head is ignored, the new one is missing
            var model = new HardSharing(trunk.Build(), trunk.Width(), [Task("task2")]);
            var report = WeightTransfer.LoadFile(model, path, new NameMap().Ignore("heads.*"), strict: false);
            Assert.Equal(["encoder.0.0.weight", "encoder.0.0.bias", "encoder.1.0.weight", "encoder.1.0.bias"], report.Loaded.Select(l => l.Target));
            Assert.Equal(["heads.task2.0.weight", "heads.task2.0.bias", "heads.task2.2.weight", "heads.task2.2.bias"], report.MissingTargets);
            Assert.All(report.UnusedSources, u => Assert.Null(u.MappedTo));

            // 4. freeze the trunk, train the head
            model.FreezeMatching("encoder.*");
            var trunkBefore = model.Encoder.Parameters().Select(p => p.ToFloatArray()).ToList();
            var result = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.01 }),
                new TrainerOptions { Epochs = 8, RestoreBest = false }).Fit(trainLoader, testLoader).Last!;
            Assert.Equal(trunkBefore, model.Encoder.Parameters().Select(p => p.ToFloatArray()).ToList());
            // correlation 0.9: task1's features carry most of task2; a linear-probe-sized head gets a clear positive R²
            Assert.True(result.Metrics["task2"]["r2"] > 0.3, $"new head on the frozen trunk: R² {result.Metrics["task2"]["r2"]:F3}");
        }
        finally { dir.Delete(recursive: true); }
    }
}
