// A small two-task classification problem for the distillation tests: 8 features, a 3-way and a 4-way task.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests.Distillation;

internal static class DistillationProblem
{
    public static readonly string[] TaskNames = ["shape", "color"];

    /// <summary>
    /// 200 samples of 8 standard-normal features; "shape" = the argmax of the first three features, "color" = the
    /// argmax of features 3..6 (so both tasks are learnable from the same input).
    /// </summary>
    public static InMemoryDataset Data(int count = 200, ulong seed = 11)
    {
        var x = Tensor.RandN([count, 8], new Generator(seed)).ToArray<float>();
        var shape = new int[count];
        var color = new int[count];
        for (int i = 0; i < count; i++)
        {
            shape[i] = ArgMax(x.AsSpan(i * 8, 3));
            color[i] = ArgMax(x.AsSpan(i * 8 + 3, 4));
        }
        return new InMemoryDataset([8], x, LabelColumn.Classes("shape", 3, shape), LabelColumn.Classes("color", 4, color));
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    public static TaskSpec[] Tasks(params string[] names) =>
        (names.Length == 0 ? TaskNames : names).Select(n => new TaskSpec(n, TaskKind.Classification, n == "shape" ? 3 : 4)).ToArray();

    /// <summary>Hard sharing over an 8 → <paramref name="width"/> ReLU trunk with Linear heads, parameters from a seeded generator.</summary>
    public static HardSharing Model(IReadOnlyList<TaskSpec> tasks, int width = 16, ulong seed = 7)
    {
        var g = new Generator(seed);
        var trunk = new Sequential(new Linear(8, width, generator: g), new ReLU());
        var heads = tasks.Select(t => t with { Head = w => new Linear(w, t.OutputSize, generator: g) }).ToArray();
        return new HardSharing(trunk, width, heads);
    }

    /// <summary>Shuffled batches of 25 (8 steps per epoch).</summary>
    public static DataLoader Loader(IMultiTaskDataset data, ulong seed = 3) =>
        new(data, new DataLoaderOptions { BatchSize = 25, Shuffle = true, Seed = seed });
}
