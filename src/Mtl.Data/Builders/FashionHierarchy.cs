// Fashion-MNIST as a two-level task hierarchy: the 10-way item class and a 5-way coarse group derived from it.
namespace Mtl.Data;

/// <summary>
/// A task hierarchy on Fashion-MNIST: task "item" is the 10-way class, task "group" a coarse 5-way grouping where the
/// coarse task can supervise an earlier layer than the fine one. The mapping (item label → group):
/// <list type="table">
/// <item><term>0 tops</term><description>T-shirt/top (0), Pullover (2), Shirt (6)</description></item>
/// <item><term>1 bottoms</term><description>Trouser (1)</description></item>
/// <item><term>2 footwear</term><description>Sandal (5), Sneaker (7), Ankle boot (9)</description></item>
/// <item><term>3 bags</term><description>Bag (8)</description></item>
/// <item><term>4 dresses/coats</term><description>Dress (3), Coat (4)</description></item>
/// </list>
/// </summary>
public static class FashionHierarchy
{
    /// <summary>Name of the coarse task.</summary>
    public const string GroupTask = "group";

    /// <summary>The five group names, by group label.</summary>
    public static IReadOnlyList<string> GroupNames { get; } = ["tops", "bottoms", "footwear", "bags", "dresses/coats"];

    /// <summary>Group label of each item label 0..9.</summary>
    public static IReadOnlyList<int> GroupOfItem { get; } = [0, 1, 0, 4, 4, 2, 0, 2, 3, 2];

    /// <summary>
    /// The same images (shared, not copied, for an in-memory source) with tasks "item" (copied from
    /// <paramref name="itemTask"/>) and "group". Samples without an item label have neither.
    /// </summary>
    public static InMemoryDataset Build(IMultiTaskDataset fashion, string itemTask = FashionMnist.TaskName)
    {
        ArgumentNullException.ThrowIfNull(fashion);
        var info = fashion.Tasks[fashion.TaskIndex(itemTask)];
        if (info.NumClasses != 10) throw new ArgumentException($"FashionHierarchy: task '{itemTask}' has {info.NumClasses} classes, expected Fashion-MNIST's 10");
        var items = fashion.ClassLabels(itemTask);
        var present = items.Any(v => v < 0) ? items.Select(v => v >= 0).ToArray() : null;
        var y = items.Select(v => Math.Max(v, 0)).ToArray();
        var groups = y.Select(v => GroupOfItem[v]).ToArray();
        return new InMemoryDataset(fashion.Input.Shape, fashion.AllInputs(),
            LabelColumn.Classes(FashionMnist.TaskName, 10, y, present, info.ClassNames ?? FashionMnist.ClassNames),
            LabelColumn.Classes(GroupTask, GroupNames.Count, groups, present, GroupNames));
    }
}
