// `mtl data preview`: a labelled grid of image samples (PNG, or SVG with the pixels embedded), or the first text/feature samples.
using System.Globalization;
using Mtl.Cli.Config;
using Mtl.Cli.Output;
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Shows a few samples of a built dataset with their labels.</summary>
internal static class DatasetPreview
{
    /// <summary>Whether the samples are single-channel images (1, H, W) or (H, W) that a picture can show.</summary>
    public static bool IsImage(InputInfo input) => input.DType == DType.Float32 && (input.Shape.Length == 2 || input.Shape is [1, _, _]);

    /// <summary>
    /// Images: writes the first <paramref name="count"/> samples to <paramref name="output"/>
    /// (.png, or .svg holding the same PNG) from split <paramref name="splitName"/>. Text and features: prints the first <paramref name="count"/> samples of each task.
    /// </summary>
    public static void Run(CliIO io, string name, DataBundle data, string splitName, int count, string? output)
    {
        var split = data.Split(splitName);
        if (IsImage(data.Input))
        {
            if (output is null) throw new ConfigException(null, $"dataset '{name}' holds images: give --out FILE.png or --out FILE.svg for the picture");
            string ext = Path.GetExtension(output).ToLowerInvariant();
            if (ext is not (".png" or ".svg")) throw new ConfigException(null, $"--out {output}: the picture is written as .png or .svg, got '{ext}'");
            var canvas = Previews.RenderMultiTaskGrid(Images(split, data), count, columns: 4, title: $"{name.ToUpperInvariant()} {splitName.ToUpperInvariant()}");
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } dir) Directory.CreateDirectory(dir);
            if (ext == ".png") canvas.SavePng(output);
            else File.WriteAllText(output, Svg(canvas.ToPng(), canvas.Width, canvas.Height, $"{name} {splitName}"));
            io.Out.WriteLine($"wrote {output}: {Math.Min(count, split.Count)} {splitName} samples of {name}, {canvas.Width}×{canvas.Height} px");
            return;
        }
        if (output is not null)
            throw new ConfigException(null, $"--out writes a picture of image data; dataset '{name}' has {data.Input.DType} ({string.Join(", ", data.Input.Shape)}) inputs, so its preview prints the first samples instead (leave --out out)");
        foreach (var task in data.Tasks)
        {
            var (ds, t) = DatasetLabels.For(split, task.Name);
            var shown = Enumerable.Range(0, ds.Count).Where(i => split.Joint is not null || DatasetLabels.Text(ds, i, t) != "-").Take(count).ToList();
            io.Out.WriteLine($"{(split.Joint is null ? task.Name : name)} ({splitName}, first {shown.Count} of {ds.Count}):");
            foreach (int i in shown)
                io.Out.WriteLine($"  #{i} [{string.Join("; ", ds.Tasks.Select((x, k) => (x, k)).Where(p => split.Joint is not null || p.x.Name == task.Name).Select(p => $"{p.x.Name}: {DatasetLabels.Text(ds, i, p.k)}"))}] {Input(ds, i, data)}");
            if (split.Joint is not null) break;   // joint data: every sample carries every task, one list is enough
        }
    }

    // The images of a split: the joint dataset, or all tasks' datasets one after the other.
    private static IMultiTaskDataset Images(SplitData split, DataBundle data) => split.Joint ?? split.PerTask!.Mixed();

    // One sample's input as text: decoded tokens, or the first feature values.
    private static string Input(IMultiTaskDataset ds, int index, DataBundle data)
    {
        if (ds.Input.DType == DType.Int32 && data.Vocabulary is { } vocab)
        {
            var ids = new int[ds.Input.Shape[0]];
            int n = ds.ReadTokens(index, ids);
            return Cut(string.Join(" ", ids.Take(n).Select(vocab.TokenOf)), 100);
        }
        var x = new float[ds.Input.SampleSize()];
        ds.ReadInput(index, x);
        const int shown = 6;
        var head = string.Join(", ", x.Take(shown).Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
        return $"x = [{head}{(x.Length > shown ? $", … ({x.Length} values)" : "")}]";
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    // An SVG page showing the PNG (pixels kept exact: no smoothing when scaled).
    private static string Svg(byte[] png, int width, int height, string title) =>
        $"""
        <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
          <title>{System.Security.SecurityElement.Escape(title)}</title>
          <image width="{width}" height="{height}" style="image-rendering:pixelated" href="data:image/png;base64,{Convert.ToBase64String(png)}"/>
        </svg>

        """;
}
