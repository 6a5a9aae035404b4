// Mean ± sample standard deviation over seeds, as every multi-seed benchmark table prints it.
using System.Globalization;

namespace Mtl.Bench;

/// <summary>Summaries of one figure measured over several seeds.</summary>
internal static class SeedStats
{
    /// <summary>Mean and sample standard deviation (0 for a single value).</summary>
    public static (double Mean, double Std) Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return (mean, std);
    }

    /// <summary><c>mean ± std</c> in <paramref name="format"/> (invariant culture).</summary>
    public static string Pm(IEnumerable<double> values, string format = "F4")
    {
        var (m, s) = Of(values);
        return m.ToString(format, CultureInfo.InvariantCulture) + " ± " + s.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary><c>mean ± std %</c> of fractions (accuracies) in percent with two decimals.</summary>
    public static string Percent(IEnumerable<double> fractions) => Pm(fractions.Select(f => 100 * f), "F2") + " %";
}
