// Where gradient-level strategies take the task gradients: the shared parameters or the shared representation.
namespace Mtl.MultiTask.Balancing;

/// <summary>What the rows of the task-gradient matrix are gradients with respect to.</summary>
public enum GradientSpace
{
    /// <summary>The parameters two or more tasks' losses depend on (found on the first step).</summary>
    SharedParameters,
    /// <summary>
    /// The shared representation (B·D values per task) of a model implementing <see cref="ISharedRepresentation"/>;
    /// cheaper (no K passes through the trunk) and allowed only for strategies declaring
    /// <see cref="BalancingStrategy.SupportsRepresentation"/>.
    /// </summary>
    Representation,
}

/// <summary>A model whose tasks all read one representation tensor produced by a shared encoder.</summary>
public interface ISharedRepresentation
{
    /// <summary>The representation computed by the last training forward pass (part of its graph), or null before one.</summary>
    Tensor? LastRepresentation { get; }
}
