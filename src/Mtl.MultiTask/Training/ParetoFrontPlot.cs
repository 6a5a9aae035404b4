// Draws a Pareto front result as a self-contained SVG scatter plot and writes its points as JSON.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Mtl.MultiTask.Training;

/// <summary>The SVG and JSON forms of a <see cref="ParetoFrontResult"/>.</summary>
internal static class ParetoFrontPlot
{
    private static readonly XNamespace Ns = "http://www.w3.org/2000/svg";
    private const double Width = 640, Height = 480, Left = 80, Right = 450, Top = 50, Bottom = 410;

    private static readonly (string Method, string Label, string Colour)[] Series =
    [
        ("paretomtl", "ParetoMTL", "#1f77b4"),
        ("static", "static λ", "#ff7f0e"),
    ];

    /// <summary>The plot: one marker per run (class <c>point</c> plus the method), fronts joined in ray order, axes, ticks, legend.</summary>
    public static string Svg(ParetoFrontResult front)
    {
        var points = front.Runs.Select(r => front.Point(r)).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (x0, x1) = Range(points.Select(p => p.X));
        var (y0, y1) = Range(points.Select(p => p.Y));
        double Sx(double x) => Left + (x - x0) / (x1 - x0) * (Right - Left);
        double Sy(double y) => Bottom - (y - y0) / (y1 - y0) * (Bottom - Top);

        var root = new XElement(Ns + "svg",
            new XAttribute("width", F(Width)), new XAttribute("height", F(Height)),
            new XAttribute("viewBox", $"0 0 {F(Width)} {F(Height)}"), new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", "12"));
        root.Add(new XElement(Ns + "rect", new XAttribute("width", F(Width)), new XAttribute("height", F(Height)), new XAttribute("fill", "white")));
        root.Add(Text((Left + Right) / 2, 25, $"Pareto front on {front.EvaluatedOn} data", "middle", 15));

        // Axes with five ticks each.
        root.Add(Line(Left, Bottom, Right, Bottom, "black"), Line(Left, Bottom, Left, Top, "black"));
        for (int i = 0; i <= 4; i++)
        {
            double xv = x0 + i * (x1 - x0) / 4, yv = y0 + i * (y1 - y0) / 4;
            root.Add(Line(Sx(xv), Bottom, Sx(xv), Bottom + 5, "black"), Text(Sx(xv), Bottom + 18, Tick(xv), "middle"));
            root.Add(Line(Left - 5, Sy(yv), Left, Sy(yv), "black"), Text(Left - 8, Sy(yv) + 4, Tick(yv), "end"));
        }
        root.Add(Text((Left + Right) / 2, Bottom + 42, AxisLabel(front, 0), "middle", 13));
        var yLabel = Text(0, 0, AxisLabel(front, 1), "middle", 13);
        yLabel.Add(new XAttribute("transform", $"translate({F(22)},{F((Top + Bottom) / 2)}) rotate(-90)"));
        root.Add(yLabel);

        // The fronts: a polyline in ray order, then one marker per run.
        foreach (var (method, label, colour) in Series)
        {
            var runs = front.Of(method);
            var drawn = runs.Select(r => (Run: r, P: front.Point(r))).Where(p => double.IsFinite(p.P.X) && double.IsFinite(p.P.Y)).ToList();
            if (drawn.Count > 1)
                root.Add(new XElement(Ns + "polyline", new XAttribute("class", $"front {method}"),
                    new XAttribute("points", string.Join(" ", drawn.Select(d => $"{F(Sx(d.P.X))},{F(Sy(d.P.Y))}"))),
                    new XAttribute("fill", "none"), new XAttribute("stroke", colour), new XAttribute("stroke-opacity", "0.5"),
                    new XAttribute("stroke-dasharray", "4 3")));
            foreach (var (run, p) in drawn)
            {
                var marker = Marker(method, Sx(p.X), Sy(p.Y), colour);
                marker.Add(new XElement(Ns + "title",
                    $"{label}: ray {run.PreferenceIndex} ({string.Join(", ", run.Preference.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}) → ({Tick(p.X)}, {Tick(p.Y)})"));
                root.Add(marker);
            }
        }

        // Legend.
        for (int s = 0; s < Series.Length; s++)
        {
            double y = Top + 10 + 22 * s;
            root.Add(Marker(Series[s].Method, Right + 25, y, Series[s].Colour, legend: true), Text(Right + 37, y + 4, Series[s].Label, "start"));
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root;
    }

    /// <summary>The fronts as JSON (non-finite numbers written as null).</summary>
    public static string Json(ParetoFrontResult front)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("tasks");
            foreach (var t in front.Tasks) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartArray("metrics");
            foreach (var m in front.PlottedMetrics) w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteStartArray("higher_is_better");
            foreach (var h in front.HigherIsBetter) w.WriteBooleanValue(h);
            w.WriteEndArray();
            w.WriteString("evaluated_on", front.EvaluatedOn);
            w.WriteStartArray("runs");
            foreach (var run in front.Runs)
            {
                var (x, y) = front.Point(run);
                w.WriteStartObject();
                w.WriteString("method", run.Method);
                w.WriteNumber("preference_index", run.PreferenceIndex);
                w.WriteStartArray("preference");
                foreach (var v in run.Preference) Number(w, v);
                w.WriteEndArray();
                w.WritePropertyName("x");
                Number(w, x);
                w.WritePropertyName("y");
                Number(w, y);
                w.WritePropertyName("seconds");
                Number(w, run.Seconds);
                w.WriteStartObject("metrics");
                foreach (var (task, values) in run.Metrics)
                {
                    w.WriteStartObject(task);
                    foreach (var (name, value) in values)
                    {
                        w.WritePropertyName(name);
                        Number(w, value);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }

    // The data range padded by 5% on each side (a unit-wide range around a single value).
    private static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count == 0) return (0, 1);
        double lo = v.Min(), hi = v.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(0.5 * Math.Abs(hi) * 0.1, 0.5);
            return (lo - pad, hi + pad);
        }
        double margin = 0.05 * (hi - lo);
        return (lo - margin, hi + margin);
    }

    private static string AxisLabel(ParetoFrontResult front, int i) =>
        $"{front.Tasks[i]}: {front.PlottedMetrics[i]} ({(front.HigherIsBetter[i] ? "higher" : "lower")} is better)";

    private static XElement Marker(string method, double x, double y, string colour, bool legend = false)
    {
        string cls = legend ? $"legend {method}" : $"point {method}";
        return method == "paretomtl"
            ? new XElement(Ns + "circle", new XAttribute("class", cls), new XAttribute("cx", F(x)), new XAttribute("cy", F(y)), new XAttribute("r", "5"),
                new XAttribute("fill", colour))
            : new XElement(Ns + "rect", new XAttribute("class", cls), new XAttribute("x", F(x - 4.5)), new XAttribute("y", F(y - 4.5)),
                new XAttribute("width", "9"), new XAttribute("height", "9"), new XAttribute("fill", colour));
    }

    private static XElement Line(double x1, double y1, double x2, double y2, string colour) =>
        new(Ns + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)),
            new XAttribute("stroke", colour));

    private static XElement Text(double x, double y, string text, string anchor, int size = 12) =>
        new(Ns + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("text-anchor", anchor),
            new XAttribute("font-size", size.ToString(CultureInfo.InvariantCulture)), text);

    private static string Tick(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
