// The small two-task regression problem the balancing tests train on: 240 samples, an 8→16→8 trunk, tiny towers.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests.Balancing;

internal static class TinyProblem
{
    /// <summary>Two synthetic regression tasks (correlation ½, d = 8), 240 samples.</summary>
    public static InMemoryDataset Data() =>
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 240, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = 5 }).Dataset;

    /// <summary>Batches of 40, shuffled with a fixed seed: 6 steps per epoch.</summary>
    public static DataLoader Loader(IMultiTaskDataset? data = null) =>
        new(data ?? Data(), new DataLoaderOptions { BatchSize = 40, Shuffle = true, Seed = 3 });

    /// <summary>Hard sharing: trunk 8 → 16 → 8 (ReLU), towers Linear(8 → 4) Tanh Linear(4 → 1), or one Linear with <paramref name="linearHeads"/>.</summary>
    public static HardSharing Model(bool linearHeads = false)
    {
        var g = new Generator(7);
        var trunk = new Sequential(new Linear(8, 16, generator: g), new ReLU(), new Linear(16, 8, generator: g), new ReLU());
        var tasks = LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
        {
            Head = linearHeads ? w => new Linear(w, 1, generator: g) : w => new Sequential(new Linear(w, 4, generator: g), new Tanh(), new Linear(4, 1, generator: g)),
        }).ToArray();
        return new HardSharing(trunk, 8, tasks);
    }
}
