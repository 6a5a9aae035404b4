// An SVG line chart: axes with ticks, one polyline per series (markers for short series), a legend.
using System.Xml.Linq;

namespace Mtl.Cli.Report;

/// <summary>One named series of (x, y) points; non-finite points are skipped.</summary>
internal sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Draws <see cref="Series"/> on shared axes.</summary>
internal static class LineChart
{
    private const double Width = 560, Height = 300, Left = 62, Right = 140, Top = 30, Bottom = 46;
    private const int MaxPoints = 600;

    /// <summary>
    /// The chart as an <c>svg</c> element: title, axis labels, ticks, a <c>polyline</c> per series (averaged down to at
    /// most 600 points), circles on series of at most 40 points, and a legend naming each series.
    /// </summary>
    public static XElement Draw(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var clean = series.Select(s => s with { Points = Downsample(s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList()) }).ToList();
        var all = clean.SelectMany(s => s.Points).ToList();
        var (x0, x1) = Range(all.Select(p => p.X));
        var (y0, y1) = Range(all.Select(p => p.Y));
        var xTicks = Ticks(x0, x1, integer: all.All(p => p.X == Math.Floor(p.X)));
        var yTicks = Ticks(y0, y1, integer: false);
        (x0, x1) = (Math.Min(x0, xTicks[0]), Math.Max(x1, xTicks[^1]));
        (y0, y1) = (Math.Min(y0, yTicks[0]), Math.Max(y1, yTicks[^1]));
        double plotRight = Width - Right, plotBottom = Height - Bottom;
        double Sx(double x) => Left + (x - x0) / (x1 - x0) * (plotRight - Left);
        double Sy(double y) => plotBottom - (y - y0) / (y1 - y0) * (plotBottom - Top);

        var svg = Svg.Root(Width, Height, "chart", Svg.Title(title), Svg.Rect(Left, Top, plotRight - Left, plotBottom - Top, "#ffffff", "#999999"),
            Svg.Text(Width / 2 - Right / 2 + Left / 2, 18, title, "middle", "title"),
            Svg.Text((Left + plotRight) / 2, Height - 8, xLabel, "middle", "axis"),
            Svg.Text(16, (Top + plotBottom) / 2, yLabel, "middle", "axis", -90));
        foreach (var t in xTicks.Where(t => t >= x0 && t <= x1))
            svg.Add(Svg.Line(Sx(t), plotBottom, Sx(t), plotBottom + 4, "#666666"), Svg.Text(Sx(t), plotBottom + 16, Svg.Label(t), "middle", "tick"));
        foreach (var t in yTicks.Where(t => t >= y0 && t <= y1))
            svg.Add(Svg.Line(Left, Sy(t), plotRight, Sy(t), "#eeeeee"), Svg.Line(Left - 4, Sy(t), Left, Sy(t), "#666666"),
                Svg.Text(Left - 7, Sy(t) + 4, Svg.Label(t), "end", "tick"));
        if (all.Count == 0) svg.Add(Svg.Text((Left + plotRight) / 2, (Top + plotBottom) / 2, "no data", "middle", "axis"));

        for (int i = 0; i < clean.Count; i++)
        {
            var s = clean[i];
            string colour = Palette.Colour(i);
            if (s.Points.Count > 0) svg.Add(Svg.Polyline(s.Points.Select(p => (Sx(p.X), Sy(p.Y))), colour, s.Name));
            if (s.Points.Count <= 40) foreach (var p in s.Points) svg.Add(Svg.Circle(Sx(p.X), Sy(p.Y), 2.5, colour));
            double ly = Top + 8 + i * 18;
            svg.Add(Svg.Rect(plotRight + 12, ly - 8, 14, 4, colour), Svg.Text(plotRight + 32, ly - 2, s.Name, "start", "legend"));
        }
        return svg;
    }

    // Bucket means so that a long run's thousands of steps stay a light polyline.
    private static IReadOnlyList<(double X, double Y)> Downsample(List<(double X, double Y)> points)
    {
        if (points.Count <= MaxPoints) return points;
        int bucket = (points.Count + MaxPoints - 1) / MaxPoints;
        return points.Chunk(bucket).Select(c => (c.Average(p => p.X), c.Average(p => p.Y))).ToList();
    }

    private static (double, double) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return (0, 1);
        double lo = list.Min(), hi = list.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { double pad = Math.Max(Math.Abs(hi) * 0.05, 0.5e-3); return (lo - pad, hi + pad); }
        return (lo, hi);
    }

    // About five round ticks (1, 2, 5 × 10^k) covering [lo, hi]; whole numbers only for integer data (steps, epochs).
    private static double[] Ticks(double lo, double hi, bool integer)
    {
        double raw = (hi - lo) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        if (integer) step = Math.Max(step, 1);
        double first = Math.Floor(lo / step) * step, last = Math.Ceiling(hi / step) * step;
        int count = (int)Math.Round((last - first) / step) + 1;
        return Enumerable.Range(0, count).Select(i => Math.Round(first + i * step, 12)).ToArray();
    }
}
