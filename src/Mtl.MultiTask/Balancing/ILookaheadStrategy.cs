// A strategy that looks ahead before each training step (Auto-Lambda): the trainer hands it the model and data.
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Balancing;

/// <summary>
/// A balancing strategy that needs the trainer's help: before every training step (before its forward pass) the
/// trainer calls <see cref="BeforeStep"/> with the model, the step's training batches and the next validation batch,
/// so the strategy can take a virtual step and update its own parameters (e.g. learned loss weights) on validation
/// data. The step itself then runs as usual with the strategy's loss weights or gradient combination. A trainer with
/// such a strategy refuses to <c>Fit</c> without validation data. The strategy must leave the model's parameters and
/// buffers exactly as it found them.
/// </summary>
public interface ILookaheadStrategy
{
    /// <summary>Called once per training step, before the step's forward pass.</summary>
    void BeforeStep(LookaheadContext context);
}
