// Helpers of the column architectures (cross-stitch, soft sharing, task attention): trunk columns, stage choices, heads.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>What the per-task-column architectures share: building columns, validating stage lists, applying heads.</summary>
internal static class ColumnStages
{
    /// <summary>One column per name, each a fresh copy of the trunk's stages (children named 0..Depth−1).</summary>
    public static ModuleDict<ModuleList<Module<Tensor, Tensor>>> Build(Trunk trunk, IEnumerable<string> names) =>
        new(names.Select(n => new KeyValuePair<string, ModuleList<Module<Tensor, Tensor>>>(n, new(trunk.BuildStages()))));

    /// <summary>One column per task.</summary>
    public static ModuleDict<ModuleList<Module<Tensor, Tensor>>> Build(Trunk trunk, IEnumerable<TaskSpec> tasks) =>
        Build(trunk, tasks.Select(t => t.Name));

    /// <summary>Every stage but the last (where mixing units go by default).</summary>
    public static int[] AllButLast(int depth) => Enumerable.Range(0, depth - 1).ToArray();

    /// <summary>
    /// The stages an option names (null = <paramref name="defaults"/>), checked to exist and be distinct; ascending.
    /// </summary>
    public static int[] Choose(string model, string option, int[]? given, int depth, int[] defaults)
    {
        var stages = given ?? defaults;
        foreach (var s in stages)
            if (s < 0 || s >= depth)
                throw new ArgumentException($"{model}: {option} names stage {s}, but the trunk has stages 0..{depth - 1}");
        if (stages.Distinct().Count() != stages.Length)
            throw new ArgumentException($"{model}: {option} names a stage twice ({string.Join(", ", stages)})");
        return stages.Order().ToArray();
    }

    /// <summary>Runs one column's stages on its input.</summary>
    public static Tensor Run(ModuleList<Module<Tensor, Tensor>> column, Tensor x)
    {
        foreach (var stage in column) x = stage.Forward(x);
        return x;
    }

    /// <summary>Each task's head on its features (B, width), checked against the width and the task's output size.</summary>
    public static IReadOnlyDictionary<string, Tensor> Decode(string model, IReadOnlyList<TaskSpec> tasks,
        ModuleDict<Module<Tensor, Tensor>> heads, IReadOnlyList<Tensor> features, int width)
    {
        var outputs = new Dictionary<string, Tensor>(tasks.Count, StringComparer.Ordinal);
        for (int i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            var h = features[i];
            if (h.Rank != 2 || h.Shape[1] != width)
                throw new ArgumentException($"{model}: task '{t.Name}' got features {h.ShapeString}; its head expects (B, {width})");
            var y = heads[t.Name].Forward(h);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        return outputs;
    }
}
