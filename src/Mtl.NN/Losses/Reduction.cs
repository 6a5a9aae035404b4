// How a loss turns per-element losses into its result: Mean, Sum or None (and KL's extra BatchMean).
namespace Mtl.NN;

/// <summary>How per-element losses are combined (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>The mean over elements (or, for class-weighted losses, the weighted mean as PyTorch defines it).</summary>
    Mean,
    /// <summary>The sum over elements.</summary>
    Sum,
    /// <summary>No reduction: one loss per element (per sample, for class-indexed losses).</summary>
    None,
}

/// <summary>Reductions of <see cref="Losses.KlDivergence"/>, which adds PyTorch's <c>batchmean</c>.</summary>
public enum KlReduction
{
    /// <summary>Sum over all elements divided by the batch size (input.Shape[0]): the true KL divergence per sample.</summary>
    BatchMean,
    /// <summary>Mean over all elements (PyTorch's default, which is not the KL divergence; prefer BatchMean).</summary>
    Mean,
    /// <summary>Sum over all elements.</summary>
    Sum,
    /// <summary>No reduction: the point-wise terms, same shape as the input.</summary>
    None,
}

/// <summary>Applies a reduction to a tensor of per-element losses.</summary>
internal static class Reductions
{
    /// <summary>
    /// The reduced loss. Mean of zero elements is NaN, as in PyTorch (Σ = 0 times 1/0).
    /// </summary>
    public static Tensor Apply(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.None => loss,
        Reduction.Sum => loss.Sum(),
        Reduction.Mean => loss.Sum().MulScalar(1.0 / loss.Numel),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown reduction"),
    };

    /// <summary>Rejects enum values outside the defined ones, naming the loss.</summary>
    public static void Check(string op, Reduction reduction)
    {
        if (reduction is not (Reduction.Mean or Reduction.Sum or Reduction.None))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: unknown reduction {reduction}");
    }
}
