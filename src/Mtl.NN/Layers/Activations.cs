// Activation modules wrapping the element-wise ops, plus Identity and Flatten.
namespace Mtl.NN;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Relu(); }

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor x) => x.LeakyRelu(NegativeSlope);
    protected override string ExtraRepr() => $"negative_slope={NegativeSlope}";
}

/// <summary>GELU (exact erf form by default, or the tanh approximation).</summary>
public sealed class GELU(bool tanhApproximation = false) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.Gelu(tanhApproximation);
    protected override string ExtraRepr() => tanhApproximation ? "approximate='tanh'" : "";
}

/// <summary>1/(1 + e⁻ˣ).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Sigmoid(); }

/// <summary>tanh(x).</summary>
public sealed class Tanh : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Tanh(); }

/// <summary>log(1 + e^(βx))/β.</summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.Softplus(beta, threshold);
    protected override string ExtraRepr() => $"beta={beta}, threshold={threshold}";
}

/// <summary>Softmax over an axis.</summary>
public sealed class Softmax(int axis = -1) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.Softmax(axis);
    protected override string ExtraRepr() => $"dim={axis}";
}

/// <summary>Returns its input.</summary>
public sealed class Identity : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x; }

/// <summary>Merges dimensions startDim..endDim (default: all but the batch dimension).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor x) => x.Flatten(startDim, endDim);
    protected override string ExtraRepr() => $"start_dim={startDim}, end_dim={endDim}";
}
