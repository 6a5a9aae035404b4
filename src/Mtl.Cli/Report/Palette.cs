// Series colours for the report's plots and the diverging colour scale of its heatmap.
using System.Globalization;

namespace Mtl.Cli.Report;

/// <summary>Colours: one per series (cycled), and blue–white–red for values in [−1, 1].</summary>
internal static class Palette
{
    private static readonly string[] Series = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>The colour of series <paramref name="index"/>.</summary>
    public static string Colour(int index) => Series[index % Series.Length];

    /// <summary>−1 → blue, 0 → white, +1 → red (clamped; NaN → grey).</summary>
    public static string Diverging(double v)
    {
        if (!double.IsFinite(v)) return "#dddddd";
        double t = Math.Clamp(v, -1, 1);
        var (r, g, b) = t >= 0 ? Mix((255, 255, 255), (214, 39, 40), t) : Mix((255, 255, 255), (31, 119, 180), -t);
        return string.Create(CultureInfo.InvariantCulture, $"#{r:x2}{g:x2}{b:x2}");
    }

    private static (int, int, int) Mix((int R, int G, int B) a, (int R, int G, int B) b, double t) =>
        ((int)Math.Round(a.R + (b.R - a.R) * t), (int)Math.Round(a.G + (b.G - a.G) * t), (int)Math.Round(a.B + (b.B - a.B) * t));
}
