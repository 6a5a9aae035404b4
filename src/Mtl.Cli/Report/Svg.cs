// Small helpers that build SVG elements (no namespace: inline SVG in HTML needs none) with invariant number formatting.
using System.Globalization;
using System.Xml.Linq;

namespace Mtl.Cli.Report;

/// <summary>SVG element builders used by <see cref="LineChart"/> and <see cref="Heatmap"/>.</summary>
internal static class Svg
{
    /// <summary>A number for an attribute: invariant, at most 2 decimals.</summary>
    public static string N(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);

    /// <summary>An axis or tick label: 3 significant digits, or scientific for very small or large values.</summary>
    public static string Label(double v) =>
        v == 0 ? "0" : Math.Abs(v) is < 1e-3 or >= 1e5 ? v.ToString("0.##e0", CultureInfo.InvariantCulture) : v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>An <c>svg</c> root of the given size.</summary>
    public static XElement Root(double width, double height, string cssClass, params object[] content) =>
        new("svg", new XAttribute("width", N(width)), new XAttribute("height", N(height)), new XAttribute("viewBox", $"0 0 {N(width)} {N(height)}"),
            new XAttribute("class", cssClass), new XAttribute("role", "img"), content);

    public static XElement Line(double x1, double y1, double x2, double y2, string stroke, double width = 1) =>
        new("line", new XAttribute("x1", N(x1)), new XAttribute("y1", N(y1)), new XAttribute("x2", N(x2)), new XAttribute("y2", N(y2)),
            new XAttribute("stroke", stroke), new XAttribute("stroke-width", N(width)));

    public static XElement Text(double x, double y, string text, string anchor = "start", string? cssClass = null, double? rotate = null)
    {
        var e = new XElement("text", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("text-anchor", anchor), text);
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        if (rotate is { } r) e.Add(new XAttribute("transform", $"rotate({N(r)} {N(x)} {N(y)})"));
        return e;
    }

    public static XElement Rect(double x, double y, double w, double h, string fill, string? stroke = null)
    {
        var e = new XElement("rect", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("width", N(w)), new XAttribute("height", N(h)), new XAttribute("fill", fill));
        if (stroke is not null) e.Add(new XAttribute("stroke", stroke));
        return e;
    }

    public static XElement Circle(double x, double y, double r, string fill) =>
        new("circle", new XAttribute("cx", N(x)), new XAttribute("cy", N(y)), new XAttribute("r", N(r)), new XAttribute("fill", fill));

    public static XElement Polyline(IEnumerable<(double X, double Y)> points, string stroke, string? dataSeries = null)
    {
        var e = new XElement("polyline", new XAttribute("points", string.Join(' ', points.Select(p => $"{N(p.X)},{N(p.Y)}"))),
            new XAttribute("fill", "none"), new XAttribute("stroke", stroke), new XAttribute("stroke-width", "1.5"));
        if (dataSeries is not null) e.Add(new XAttribute("data-series", dataSeries));
        return e;
    }

    public static XElement Title(string text) => new("title", text);
}
