// TAG's network selection: the partition of tasks into at most G groups that maximises the affinity onto each task.
using System.Globalization;

namespace Mtl.MultiTask.Diagnostics;

/// <summary>A suggested grouping: the groups (tasks in matrix order, groups by first task), its total score and each task's share.</summary>
/// <param name="Groups">The groups; each task is in exactly one.</param>
/// <param name="Score">Σ_j of <paramref name="TaskScores"/>.</param>
/// <param name="TaskScores">Per task j: the mean affinity onto j from its group mates (0 for a task alone).</param>
public sealed record TaskGroups(IReadOnlyList<IReadOnlyList<string>> Groups, double Score, IReadOnlyDictionary<string, double> TaskScores)
{
    /// <summary>E.g. <c>{a, b} {c} (score 0.412)</c>.</summary>
    public override string ToString() =>
        string.Join(" ", Groups.Select(g => "{" + string.Join(", ", g) + "}")) + $" (score {Score.ToString("F4", CultureInfo.InvariantCulture)})";
}

/// <summary>
/// The network-selection step of TAG (Fifty et al., "Efficiently Identifying Task Groupings for Multi-Task Learning",
/// NeurIPS 2021): given the inter-task affinities Z_{i→j} (<see cref="TaskAffinity"/>), choose which tasks should be
/// trained together. Here the groups form a partition: every task is trained in exactly one network, and task j's
/// score is the mean of Z_{i→j} over its group mates i (0 when it is alone — no transfer either way). The suggested
/// grouping maximises Σ_j score_j over all partitions into at most <c>groups</c> groups, by brute force (Bell(8) =
/// 4,140 partitions at most). TAG's paper also allows overlapping groups, a task then being served by its best
/// network; the partition form is what one can train directly as separate multi-task models.
/// </summary>
public static class TaskGrouping
{
    /// <summary>The most tasks <see cref="Suggest(AffinityMatrix, int)"/> enumerates.</summary>
    public const int MaxTasks = 8;

    /// <summary>
    /// The partition of <paramref name="matrix"/>'s tasks into at most <paramref name="groups"/> groups with the
    /// largest Σ_j (mean affinity onto j from its group mates). Ties (within 1e-12) go to fewer groups, then to the
    /// first partition in restricted-growth order (tasks joining the earliest groups). Deterministic. Every
    /// off-diagonal entry must be finite; the diagonal is not used.
    /// </summary>
    public static TaskGroups Suggest(AffinityMatrix matrix, int groups)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.Count;
        if (k == 0) throw new ArgumentException("TaskGrouping: the matrix has no tasks");
        if (k > MaxTasks)
            throw new ArgumentException($"TaskGrouping: {k} tasks; the brute-force search over partitions handles at most {MaxTasks} (Bell({k}) partitions would be needed)");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "TaskGrouping: at least one group is needed");
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (i != j && !double.IsFinite(matrix[i, j]))
                    throw new ArgumentException($"TaskGrouping: the affinity of '{matrix.Tasks[i]}' onto '{matrix.Tasks[j]}' is {matrix[i, j]} (never measured?); every pair is needed");
        int maxGroups = Math.Min(groups, k);

        var label = new int[k];                       // restricted growth string: label[0] = 0, label[i] ≤ 1 + max(label[..i])
        int[]? best = null;
        double bestScore = double.NegativeInfinity;
        int bestGroups = int.MaxValue;
        while (true)
        {
            int used = label.Max() + 1;
            if (used <= maxGroups)
            {
                double score = 0;
                for (int j = 0; j < k; j++) score += TaskScore(matrix, label, j);
                if (score > bestScore + 1e-12 || (Math.Abs(score - bestScore) <= 1e-12 && used < bestGroups))
                {
                    best = (int[])label.Clone();
                    bestScore = score;
                    bestGroups = used;
                }
            }
            if (!Next(label)) break;
        }

        var result = Enumerable.Range(0, bestGroups)
            .Select(g => (IReadOnlyList<string>)Enumerable.Range(0, k).Where(i => best![i] == g).Select(i => matrix.Tasks[i]).ToArray())
            .ToArray();
        var perTask = new Dictionary<string, double>(k, StringComparer.Ordinal);
        for (int j = 0; j < k; j++) perTask[matrix.Tasks[j]] = TaskScore(matrix, best!, j);
        return new TaskGroups(result, perTask.Values.Sum(), perTask);
    }

    // Mean of Z_{i→j} over j's group mates i; 0 for a task alone.
    private static double TaskScore(AffinityMatrix m, int[] label, int j)
    {
        double sum = 0;
        int mates = 0;
        for (int i = 0; i < label.Length; i++)
            if (i != j && label[i] == label[j])
            {
                sum += m[i, j];
                mates++;
            }
        return mates == 0 ? 0 : sum / mates;
    }

    // The next restricted growth string in lexicographic order; false after the last (0, 1, 2, …, k − 1).
    private static bool Next(int[] label)
    {
        for (int i = label.Length - 1; i > 0; i--)
        {
            int max = 0;
            for (int p = 0; p < i; p++) max = Math.Max(max, label[p]);
            if (label[i] <= max)
            {
                label[i]++;
                for (int r = i + 1; r < label.Length; r++) label[r] = 0;
                return true;
            }
        }
        return false;
    }
}
