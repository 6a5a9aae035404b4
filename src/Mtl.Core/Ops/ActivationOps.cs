// Differentiable activations: relu, leaky relu, gelu, sigmoid, tanh, softplus.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Element-wise activation functions.</summary>
public static class ActivationOps
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new ReluOp(), "relu");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "relu", [x], g => [GradMode.IsEnabled ? g.Mul(x.GtScalar(0)) : BinaryKernel.Run<ReluGradOp>(g, x, "relu_backward")], x);
    }

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public static Tensor LeakyRelu(this Tensor x, double slope = 0.01)
    {
        var r = UnaryKernel.Run(x, new LeakyReluOp(slope), "leaky_relu");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "leaky_relu", [x], g =>
        {
            var pos = x.GtScalar(0);
            return [g.Mul(pos.Add(pos.RSubScalar(1).MulScalar(slope)))];
        }, x);
    }

    /// <summary>GELU: x·Φ(x) (exact, PyTorch's default) or the tanh approximation.</summary>
    public static Tensor Gelu(this Tensor x, bool tanhApproximation = false)
    {
        var r = UnaryKernel.Run(x, new GeluOp(tanhApproximation), "gelu");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "gelu", [x], g =>
        {
            Autograd.RequireFirstOrder("gelu", g);
            return [g.Mul(UnaryKernel.Run(x, new GeluGradOp(tanhApproximation), "gelu_backward"))];
        }, x);
    }

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public static Tensor Sigmoid(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new SigmoidOp(), "sigmoid");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "sigmoid", [x], g =>
            [GradMode.IsEnabled ? g.Mul(r).Mul(r.RSubScalar(1)) : BinaryKernel.Run<SigmoidGradOp>(g, r, "sigmoid_backward")], r);
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(this Tensor x)
    {
        var r = UnaryKernel.Run(x, new TanhOp(), "tanh");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "tanh", [x], g =>
            [GradMode.IsEnabled ? g.Mul(r.Mul(r).RSubScalar(1)) : BinaryKernel.Run<TanhGradOp>(g, r, "tanh_backward")], r);
    }

    /// <summary>log(1 + e^(βx))/β, linear above the threshold (as PyTorch).</summary>
    public static Tensor Softplus(this Tensor x, double beta = 1, double threshold = 20)
    {
        if (beta <= 0) throw new ArgumentException($"Softplus: beta must be positive, got {beta}");
        var r = UnaryKernel.Run(x, new SoftplusOp(beta, threshold), "softplus");
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, "softplus", [x], g =>
        {
            var bx = x.MulScalar(beta);
            var below = bx.LeScalar(threshold);
            // d/dx = sigmoid(βx) below the threshold, 1 above it.
            return [g.Mul(bx.Sigmoid().Mul(below).Add(below.RSubScalar(1)))];
        }, x);
    }
}
