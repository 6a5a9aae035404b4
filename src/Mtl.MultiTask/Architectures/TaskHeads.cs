// Builds every task's head as one ModuleDict keyed by task name (parameters heads.{task}.*), for any architecture.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>The per-task heads of an architecture.</summary>
public static class TaskHeads
{
    /// <summary>One head per task, built by <see cref="TaskSpec.BuildHead"/> for the width its representation has.</summary>
    public static ModuleDict<Module<Tensor, Tensor>> Build(IEnumerable<TaskSpec> tasks, Func<TaskSpec, int> inputWidth) =>
        new(tasks.Select(t => new KeyValuePair<string, Module<Tensor, Tensor>>(t.Name, t.BuildHead(inputWidth(t)))));

    /// <summary>
    /// <paramref name="count"/> fresh copies of <paramref name="trunk"/> (experts of the mixture-of-experts architectures).
    /// </summary>
    public static ModuleList<Module<Tensor, Tensor>> Copies(Trunk trunk, int count) =>
        new(Enumerable.Range(0, count).Select(_ => (Module<Tensor, Tensor>)trunk.Build()));
}
