// The models the multi-task benchmarks share: the MMoE paper's synthetic-task MMoE and the LeNet hard-sharing MultiFashion model.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.Bench;

/// <summary>Task specs and models built the same way by every benchmark that uses them.</summary>
internal static class BenchModels
{
    /// <summary>The MMoE paper's synthetic set-up: input width, experts, expert width and tower width.</summary>
    public const int MmoeDim = 100, MmoeExperts = 8, MmoeExpertWidth = 16, TowerWidth = 8;

    /// <summary>Regression tasks with the MMoE paper's towers: Linear(width → 8) ReLU Linear(8 → 1).</summary>
    public static TaskSpec[] MmoeTasks(IEnumerable<string> names) => names.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
    { Head = w => new Sequential(new Linear(w, TowerWidth), new ReLU(), new Linear(TowerWidth, 1)) }).ToArray();

    /// <summary>
    /// MMoE with 8 experts of Linear(100 → 16) + ReLU and a softmax gate per task; experts, gates and towers draw from the
    /// default generator, seeded with <paramref name="initSeed"/> first.
    /// </summary>
    public static MultiTaskModel Mmoe(IReadOnlyList<TaskSpec> tasks, ulong initSeed)
    {
        Init.ManualSeed(initSeed);
        return ArchitectureRegistry.Create("mmoe", new ArchitectureContext(tasks, Trunk.Mlp(MmoeDim, [MmoeExpertWidth])),
            new MmoeOptions { NumExperts = MmoeExperts, ExpertWidth = MmoeExpertWidth });
    }

    /// <summary>Ten-way classification tasks (the MultiFashion digits), each with a Linear head.</summary>
    public static TaskSpec[] FashionTasks(IEnumerable<string> names) => names.Select(t => new TaskSpec(t, TaskKind.Classification, 10)).ToArray();

    /// <summary>LeNet trunk with hard sharing; trunk and heads draw from the default generator, seeded with <paramref name="initSeed"/> first.</summary>
    public static MultiTaskModel LeNetHard(IReadOnlyList<TaskSpec> tasks, ulong initSeed)
    {
        Init.ManualSeed(initSeed);
        return ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, Trunk.LeNet()));
    }
}
