// Autograd entry points on a tensor: backward, detach, zeroing gradients.
namespace Mtl;

public sealed partial class Tensor
{
    /// <summary>
    /// Backpropagates from this tensor (a scalar, or pass <paramref name="gradient"/> of the same shape), accumulating
    /// into the <see cref="Grad"/> of every leaf that requires grad. The graph is freed unless <paramref name="retainGraph"/> (default: createGraph).
    /// </summary>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false) =>
        Autograd.Backward(this, gradient, retainGraph, createGraph);

    /// <summary>A view of the same data that is cut from the graph and does not require grad.</summary>
    public Tensor Detach() => new(Storage, _shape, _strides, Offset);

    /// <summary>Zeroes <see cref="Grad"/> in place (keeping its buffer), if there is one.</summary>
    public void ZeroGrad()
    {
        if (Grad is null) return;
        if (Grad.GradFn is not null) Grad = null;
        else
        {
            using var _ = GradMode.NoGrad();
            Grad.Zero();
        }
    }
}
