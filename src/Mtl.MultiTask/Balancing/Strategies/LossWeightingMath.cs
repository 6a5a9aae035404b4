// Small helpers the loss-weighting strategies share: a stable softmax, loss checks, option checks.
namespace Mtl.MultiTask.Balancing.Strategies;

internal static class LossWeightingMath
{
    /// <summary><paramref name="into"/> = softmax(<paramref name="x"/>·<paramref name="scale"/>), computed with the maximum subtracted.</summary>
    public static void Softmax(ReadOnlySpan<double> x, Span<double> into, double scale = 1)
    {
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v * scale);
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += into[i] = Math.Exp(x[i] * scale - max);
        for (int i = 0; i < x.Length; i++) into[i] /= sum;
    }

    /// <summary>Refuses negative losses for methods that take logarithms or ratios of them.</summary>
    public static void RequireNonNegative(string strategy, IReadOnlyList<double> losses)
    {
        foreach (var l in losses)
            if (l < 0)
                throw new ArgumentException($"strategy '{strategy}' needs non-negative task losses (it takes their logarithm or ratio), got [{string.Join(", ", losses)}]");
    }

    /// <summary>Refuses an option value that is not finite and positive (or, with <paramref name="allowZero"/>, zero).</summary>
    public static double Positive(string strategy, string option, double value, bool allowZero = false)
    {
        if (!double.IsFinite(value) || value < 0 || (value == 0 && !allowZero))
            throw new ArgumentException($"strategy '{strategy}': {option} must be finite and {(allowZero ? "≥ 0" : "> 0")}, got {value}");
        return value;
    }
}
