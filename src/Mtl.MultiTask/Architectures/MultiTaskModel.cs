// The base of every multi-task architecture: a module that maps one input to named per-task outputs.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>A model that produces one output tensor per task, keyed by task name.</summary>
public abstract class MultiTaskModel : Module<Tensor, IReadOnlyDictionary<string, Tensor>>
{
    /// <summary>The tasks this model predicts, in declaration order.</summary>
    public abstract IReadOnlyList<TaskSpec> Tasks { get; }
}
