// The base of every multi-task architecture: a module that maps one input to named per-task outputs.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>A model that produces one output tensor per task, keyed by task name.</summary>
public abstract class MultiTaskModel : Module<Tensor, IReadOnlyDictionary<string, Tensor>>
{
    /// <summary>The tasks this model predicts, in declaration order.</summary>
    public abstract IReadOnlyList<TaskSpec> Tasks { get; }

    /// <summary>
    /// An extra loss term the architecture adds to the weighted task losses (a soft-sharing regulariser, a gate's
    /// entropy penalty, …), already multiplied by its coefficient; a 0-d tensor, or null when there is none. The trainer
    /// calls it right after each training <see cref="Module{TIn,TOut}.Forward"/>, so terms that depend on the batch's
    /// features may use what that forward pass computed.
    /// </summary>
    public virtual Tensor? AuxiliaryLoss() => null;
}
