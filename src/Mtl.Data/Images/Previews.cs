// Contact-sheet previews: a grid of dataset images, scaled up, with each sample's class labels written under it.
namespace Mtl.Data;

/// <summary>
/// Renders samples of an image dataset so a person can check them, e.g. that MultiFashion's two items overlap as in
/// the papers' figures. Each tile shows the image (1 = white, as MNIST is usually displayed) scaled up, a coloured
/// corner mark per task (task 1 top-left, task 2 bottom-right, matching the MultiMNIST layout) and one text line per
/// class task: "1: SNEAKER". The legend above the grid names the tasks.
/// </summary>
public static class Previews
{
    private static readonly (byte R, byte G, byte B)[] TaskColors = [(214, 96, 0), (0, 110, 200), (20, 140, 60), (150, 40, 160)];
    private static readonly (byte, byte, byte) Page = (245, 245, 245), Ink = (30, 30, 30);

    /// <summary>Writes the grid of <see cref="RenderMultiTaskGrid"/> to a PNG file.</summary>
    public static void SaveMultiTaskGrid(IMultiTaskDataset dataset, string path, int count = 16, int columns = 4, string? title = null,
        IReadOnlyList<int>? indices = null) =>
        RenderMultiTaskGrid(dataset, count, columns, title, indices).SavePng(path);

    /// <summary>
    /// Renders samples <paramref name="indices"/> (default: the first <paramref name="count"/>) in a grid of
    /// <paramref name="columns"/> columns. The input must be a single-channel image: (1, H, W) or (H, W) floats in [0, 1].
    /// Up to four class-index tasks are labelled.
    /// </summary>
    public static RgbCanvas RenderMultiTaskGrid(IMultiTaskDataset dataset, int count = 16, int columns = 4, string? title = null,
        IReadOnlyList<int>? indices = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var shape = dataset.Input.Shape;
        if (dataset.Input.DType != DType.Float32 || !(shape.Length == 2 || (shape.Length == 3 && shape[0] == 1)))
            throw new ArgumentException($"Previews: needs single-channel Float32 images (1, H, W) or (H, W), got {dataset.Input.DType} {InMemoryDataset.Fmt(shape)}");
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "Previews: columns must be positive");
        var pick = indices?.ToArray() ?? Enumerable.Range(0, Math.Min(count, dataset.Count)).ToArray();
        if (pick.Length == 0) throw new ArgumentException("Previews: nothing to draw (no samples selected)");
        foreach (int i in pick)
            if ((uint)i >= (uint)dataset.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"Previews: sample {i} outside [0, {dataset.Count})");
        int h = shape[^2], w = shape[^1];
        var tasks = Enumerable.Range(0, dataset.Tasks.Count).Where(t => dataset.Tasks[t].Kind == LabelKind.ClassIndex).Take(TaskColors.Length).ToArray();

        const int text = 2, margin = 16, gap = 18, mark = 5;
        int scale = Math.Max(1, 168 / Math.Max(h, w));
        int lineH = RgbCanvas.TextHeight(text) + 6;
        var lines = pick.Select(i => tasks.Select((t, k) => $"{k + 1}: {LabelText(dataset, i, t)}").ToArray()).ToArray();
        int textW = lines.SelectMany(l => l).Select(s => RgbCanvas.TextWidth(s, text)).DefaultIfEmpty(0).Max();
        int cellW = Math.Max(w * scale, textW), cellH = h * scale + 8 + tasks.Length * lineH;
        int rows = (pick.Length + columns - 1) / columns, cols = Math.Min(columns, pick.Length);

        var header = new List<(string Text, (byte, byte, byte) Color)>();
        if (!string.IsNullOrEmpty(title)) header.Add((title, Ink));
        header.AddRange(tasks.Select((t, k) => ($"{k + 1} = {dataset.Tasks[t].Name}{(k < 2 && tasks.Length >= 2 ? (k == 0 ? " (TOP-LEFT MARK)" : " (BOTTOM-RIGHT MARK)") : "")}", TaskColors[k])));
        int headerH = header.Count * lineH + (header.Count > 0 ? 8 : 0);
        int width = Math.Max(2 * margin + cols * cellW + (cols - 1) * gap, 2 * margin + header.Select(x => RgbCanvas.TextWidth(x.Text, text)).DefaultIfEmpty(0).Max());
        int height = 2 * margin + headerH + rows * cellH + (rows - 1) * gap;

        var canvas = new RgbCanvas(width, height, Page);
        for (int k = 0; k < header.Count; k++) canvas.DrawText(header[k].Text, margin, margin + k * lineH, header[k].Color, text);
        var img = new float[dataset.Input.SampleSize()];
        for (int n = 0; n < pick.Length; n++)
        {
            int x0 = margin + (n % columns) * (cellW + gap), y0 = margin + headerH + (n / columns) * (cellH + gap);
            dataset.ReadInput(pick[n], img);
            canvas.DrawGray(img, w, h, x0, y0, scale);
            int iw = w * scale, ih = h * scale;
            if (tasks.Length >= 1) { canvas.FillRect(x0 - mark, y0 - mark, iw / 3, mark, TaskColors[0]); canvas.FillRect(x0 - mark, y0 - mark, mark, ih / 3, TaskColors[0]); }
            if (tasks.Length >= 2) { canvas.FillRect(x0 + iw - iw / 3 + mark, y0 + ih, iw / 3, mark, TaskColors[1]); canvas.FillRect(x0 + iw, y0 + ih - ih / 3 + mark, mark, ih / 3, TaskColors[1]); }
            for (int k = 0; k < tasks.Length; k++) canvas.DrawText(lines[n][k], x0, y0 + ih + 8 + k * lineH, TaskColors[k], text);
        }
        return canvas;
    }

    private static string LabelText(IMultiTaskDataset dataset, int index, int task)
    {
        Span<float> v = stackalloc float[1];
        if (!dataset.ReadLabel(index, task, v)) return "-";
        int c = (int)v[0];
        var names = dataset.Tasks[task].ClassNames;
        return names is not null && (uint)c < (uint)names.Count ? names[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
