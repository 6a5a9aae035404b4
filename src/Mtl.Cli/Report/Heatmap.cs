// An SVG K×K heatmap of task-pair values (the mean task-gradient cosine similarity), values printed in the cells.
using System.Globalization;
using System.Xml.Linq;

namespace Mtl.Cli.Report;

/// <summary>Draws a symmetric task × task matrix with a blue–white–red scale over [−1, 1].</summary>
internal static class Heatmap
{
    private const double Cell = 64, Left = 130, Top = 40;

    /// <summary>The heatmap of <paramref name="values"/> (row task, column task) as an <c>svg</c> element with one <c>rect</c> and one value per cell.</summary>
    public static XElement Draw(string title, IReadOnlyList<string> tasks, Func<int, int, double> values)
    {
        int k = tasks.Count;
        double width = Left + k * Cell + 20, height = Top + k * Cell + 20;
        var svg = Svg.Root(width, height, "heatmap", Svg.Title(title));
        for (int i = 0; i < k; i++)
        {
            svg.Add(Svg.Text(Left - 8, Top + i * Cell + Cell / 2 + 4, tasks[i], "end", "legend"));
            svg.Add(Svg.Text(Left + i * Cell + Cell / 2, Top - 8, tasks[i], "middle", "legend"));
            for (int j = 0; j < k; j++)
            {
                double v = values(i, j);
                var rect = Svg.Rect(Left + j * Cell, Top + i * Cell, Cell, Cell, Palette.Diverging(v), "#ffffff");
                rect.Add(Svg.Title($"{tasks[i]} · {tasks[j]}: {Format(v)}"));
                svg.Add(rect, Svg.Text(Left + j * Cell + Cell / 2, Top + i * Cell + Cell / 2 + 4, Format(v), "middle", Math.Abs(v) > 0.6 ? "cell light" : "cell"));
            }
        }
        return svg;
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
