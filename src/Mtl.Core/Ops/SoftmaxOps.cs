// Differentiable softmax and log-softmax over any axis: fused stable kernels forward and backward, composed for double backward.
using Mtl.Kernels;

namespace Mtl;

/// <summary>The softmax family (PyTorch semantics: <c>softmax(x, dim)</c>, <c>log_softmax(x, dim)</c>).</summary>
public static class SoftmaxOps
{
    /// <summary>
    /// exp(x − max) / Σ exp(x − max) along <paramref name="axis"/> (negative counts from the end); same shape as x.
    /// Backward: dx = y ⊙ (g − Σ g⊙y).
    /// </summary>
    public static Tensor Softmax(this Tensor x, int axis) => Run(x, axis, log: false);

    /// <summary>
    /// (x − max) − log Σ exp(x − max) along <paramref name="axis"/> (negative counts from the end); same shape as x.
    /// Backward: dx = g − softmax(x)·Σ g.
    /// </summary>
    public static Tensor LogSoftmax(this Tensor x, int axis) => Run(x, axis, log: true);

    private static Tensor Run(Tensor x, int axis, bool log)
    {
        string op = log ? "log_softmax" : "softmax";
        FloatCheck.Require(op, x);
        int rank = Math.Max(x.Rank, 1); // a 0-d tensor behaves as one element along axis 0 / -1 (as PyTorch)
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for input {x.ShapeString} of rank {x.Rank}");
        if (x.Rank == 0) return Run(x.Reshape(1), 0, log).Reshape();

        var y = SoftmaxKernel.Forward(x, a, log, op);
        if (!Autograd.ShouldRecord(x)) return y;
        return Autograd.Record(y, op, [x], g =>
            [GradMode.IsEnabled ? Composed(y, g, a, log) : SoftmaxKernel.Backward(y, g, a, log, op + "_backward")], y);
    }

    // The backward from differentiable ops, so that createGraph (double backward) works; y carries the graph to x.
    private static Tensor Composed(Tensor y, Tensor g, int axis, bool log) =>
        log ? g.Sub(y.Exp().Mul(g.Sum([axis], keepDim: true)))
            : y.Mul(g.Sub(g.Mul(y).Sum([axis], keepDim: true)));
}
