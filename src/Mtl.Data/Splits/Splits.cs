// Seeded train/validation/test splits: random by fractions or counts, and stratified on one task's class labels.
namespace Mtl.Data;

/// <summary>Sample indices of a three-way split; each array is sorted ascending and the three are disjoint.</summary>
public sealed record SplitIndices(int[] Train, int[] Validation, int[] Test);

/// <summary>A three-way split as subset views of one dataset, with the indices it used.</summary>
public sealed record DatasetSplit(SubsetDataset Train, SubsetDataset Validation, SubsetDataset Test, SplitIndices Indices);

/// <summary>
/// Train/validation/test splits, deterministic for a seed. Fractions must be non-negative and sum to at most 1 (the
/// rest is left out). Sizes are apportioned by largest remainder, so they sum exactly and each is within 1 of
/// fraction × N. The stratified split apportions every class of the chosen task separately (samples without a label for
/// that task form one more group), carrying the rounding from class to class, so each split's total is within 1 of its exact
/// share and each class's count in each split within 2 of fraction × class size.
/// </summary>
public static class Splits
{
    /// <summary>Random split of indices [0, count) by fractions.</summary>
    public static SplitIndices RandomIndices(int count, double train, double validation, double test, ulong seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Splits: count must be 0 or more");
        var f = Fractions(train, validation, test);
        var perm = Permutation(count, new Generator(seed));
        var sizes = Apportion(count, [f[0] * count, f[1] * count, f[2] * count, f[3] * count]);
        return Cut(perm, sizes);
    }

    /// <summary>Random split of indices [0, count) into given sizes (their sum must not exceed count).</summary>
    public static SplitIndices RandomIndicesByCount(int count, int train, int validation, int test, ulong seed)
    {
        if (train < 0 || validation < 0 || test < 0 || (long)train + validation + test > count)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"Splits: sizes train={train}, validation={validation}, test={test} must be non-negative and sum to at most {count}");
        var perm = Permutation(count, new Generator(seed));
        return Cut(perm, [train, validation, test, count - train - validation - test]);
    }

    /// <summary>
    /// Stratified split: every class of task <paramref name="task"/> (a class-index task) is split in proportion.
    /// </summary>
    public static SplitIndices StratifiedIndices(IMultiTaskDataset dataset, string task, double train, double validation, double test, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var f = Fractions(train, validation, test);
        int[] labels = dataset.ClassLabels(task);
        int classes = dataset.Tasks[dataset.TaskIndex(task)].NumClasses;
        var groups = new List<int>[classes + 1]; // last group: samples without a label
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        for (int i = 0; i < labels.Length; i++) groups[labels[i] < 0 ? classes : labels[i]].Add(i);

        var gen = new Generator(seed);
        var parts = new List<int>[4];
        for (int s = 0; s < 4; s++) parts[s] = [];
        var assigned = new long[4];
        long seen = 0;
        foreach (var group in groups)
        {
            if (group.Count == 0) continue;
            var members = group.ToArray();
            gen.Shuffle(members.AsSpan());
            seen += members.Length;
            // What each split should hold after this group, less what it holds: carries rounding across classes.
            var want = new double[4];
            for (int s = 0; s < 4; s++) want[s] = f[s] * seen - assigned[s];
            var sizes = Apportion(members.Length, want);
            int at = 0;
            for (int s = 0; s < 4; s++)
            {
                parts[s].AddRange(members.AsSpan(at, sizes[s]).ToArray());
                at += sizes[s];
                assigned[s] += sizes[s];
            }
        }
        return new SplitIndices(Sorted(parts[0]), Sorted(parts[1]), Sorted(parts[2]));
    }

    /// <summary>Random split of a dataset by fractions.</summary>
    public static DatasetSplit RandomSplit(this IMultiTaskDataset dataset, double train, double validation, double test, ulong seed) =>
        Views(dataset, RandomIndices(dataset.Count, train, validation, test, seed));

    /// <summary>Random split of a dataset into given sizes.</summary>
    public static DatasetSplit RandomSplitByCount(this IMultiTaskDataset dataset, int train, int validation, int test, ulong seed) =>
        Views(dataset, RandomIndicesByCount(dataset.Count, train, validation, test, seed));

    /// <summary>Stratified split of a dataset on task <paramref name="task"/>'s classes.</summary>
    public static DatasetSplit StratifiedSplit(this IMultiTaskDataset dataset, string task, double train, double validation, double test, ulong seed) =>
        Views(dataset, StratifiedIndices(dataset, task, train, validation, test, seed));

    /// <summary>Subset views for split indices.</summary>
    public static DatasetSplit Views(IMultiTaskDataset dataset, SplitIndices indices) =>
        new(dataset.Subset(indices.Train), dataset.Subset(indices.Validation), dataset.Subset(indices.Test), indices);

    /// <summary>
    /// Integer sizes summing to <paramref name="total"/>, proportional to <paramref name="want"/> (negative entries count
    /// as 0): floors first, then the remaining units to the largest fractional parts (ties: the earlier entry).
    /// </summary>
    internal static int[] Apportion(int total, double[] want)
    {
        var w = want.Select(x => Math.Max(0, x)).ToArray();
        double sum = w.Sum();
        var sizes = new int[w.Length];
        if (total == 0) return sizes;
        if (sum <= 0) { sizes[^1] = total; return sizes; }
        var exact = w.Select(x => x * total / sum).ToArray();
        int given = 0;
        for (int s = 0; s < w.Length; s++) { sizes[s] = (int)Math.Floor(exact[s] + 1e-9); given += sizes[s]; }
        var byRemainder = Enumerable.Range(0, w.Length).OrderByDescending(s => exact[s] - sizes[s]).ThenBy(s => s).ToArray();
        for (int r = 0; given < total; r = (r + 1) % w.Length, given++) sizes[byRemainder[r]]++;
        for (int s = 0; given > total; s = (s + 1) % w.Length) if (sizes[s] > 0) { sizes[s]--; given--; }
        return sizes;
    }

    private static double[] Fractions(double train, double validation, double test)
    {
        foreach (var (name, v) in new[] { ("train", train), ("validation", validation), ("test", test) })
            if (!(v >= 0 && v <= 1)) throw new ArgumentOutOfRangeException(name, v, $"Splits: the {name} fraction must lie in [0, 1]");
        double sum = train + validation + test;
        if (sum > 1 + 1e-9) throw new ArgumentException($"Splits: fractions train={train}, validation={validation}, test={test} sum to {sum}, more than 1");
        return [train, validation, test, Math.Max(0, 1 - sum)];
    }

    private static int[] Permutation(int n, Generator gen)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        gen.Shuffle(p.AsSpan());
        return p;
    }

    private static SplitIndices Cut(int[] perm, int[] sizes)
    {
        int a = sizes[0], b = sizes[1], c = sizes[2];
        return new SplitIndices(Sorted(perm.AsSpan(0, a)), Sorted(perm.AsSpan(a, b)), Sorted(perm.AsSpan(a + b, c)));
    }

    private static int[] Sorted(List<int> v) => Sorted(v.ToArray());

    private static int[] Sorted(ReadOnlySpan<int> v)
    {
        var r = v.ToArray();
        Array.Sort(r);
        return r;
    }
}
