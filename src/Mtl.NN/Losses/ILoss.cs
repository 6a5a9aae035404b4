// The common shape of a loss object, so that a task description can hold "a loss" without knowing which.
namespace Mtl.NN;

/// <summary>
/// A loss with its options fixed: maps (prediction, target) to a loss tensor (a scalar unless the loss was built
/// with <see cref="Reduction.None"/>). Implemented by every loss object in <c>Mtl.NN</c>.
/// </summary>
public interface ILoss
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/>.</summary>
    Tensor Compute(Tensor prediction, Tensor target);

    /// <summary>Short name for logs and error messages (PyTorch's functional name, e.g. <c>cross_entropy</c>).</summary>
    string Name { get; }
}
