// Dropout module: inverted dropout in training mode, identity in evaluation mode.
namespace Mtl.NN;

/// <summary>
/// Zeroes each element with probability p during training and scales the rest by 1/(1−p); identity in eval mode.
/// Masks come from the given generator, else from <see cref="Init.DefaultGenerator"/> (checkpoint its state to resume).
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1]");
        P = p;
        _generator = generator;
    }

    public double P { get; }

    public override Tensor Forward(Tensor x) => x.Dropout(P, Training, _generator ?? Init.DefaultGenerator);

    protected override string ExtraRepr() => $"p={P}";
}
