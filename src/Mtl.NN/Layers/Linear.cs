// Linear layer: y = x·Wᵀ + b with PyTorch's default initialisation.
namespace Mtl.NN;

/// <summary>
/// Fully connected layer. Input (..., in), output (..., out). Weight (out, in) and bias (out) are initialised as in
/// PyTorch: Kaiming-uniform with a = √5 for the weight, U(±1/√in) for the bias.
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; parameters are drawn from <paramref name="generator"/> or <see cref="Init.DefaultGenerator"/>.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: feature sizes must be positive, got in={inFeatures}, out={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.EmptyUnscoped([outFeatures, inFeatures]))!;
        Bias = RegisterParameter("bias", bias ? Tensor.EmptyUnscoped([outFeatures]) : null);
        using (GradMode.NoGrad()) ResetOwnParameters(generator ?? Init.DefaultGenerator);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>(out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank < 1 || x.Shape[^1] != InFeatures)
            throw new ArgumentException($"Linear({InFeatures}→{OutFeatures}): input {x.ShapeString} must end in {InFeatures} features");
        return x.Linear(Weight, Bias);
    }

    protected override void ResetOwnParameters(Generator generator)
    {
        Init.KaimingUniform(Weight, Math.Sqrt(5), generator);
        if (Bias is not null) Init.BiasUniform(Bias, Weight, generator);
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null}";
}
