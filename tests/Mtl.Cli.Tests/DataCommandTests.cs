// `mtl data list|show|preview` on the committed sample data: tables, label counts, a PNG and an SVG, text samples.
using Mtl.Data;

namespace Mtl.Cli.Tests;

public class DataCommandTests
{
    [Fact]
    public void List_is_the_dataset_listing()
    {
        var r = CliRun.Mtl("data", "list");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(CliRun.Mtl("list", "datasets").Out, r.Out);
        Assert.Contains("  text — ", r.Out);
    }

    [Fact]
    public void Show_prints_tasks_splits_and_label_counts_that_add_up()
    {
        var r = CliRun.Mtl("data", "show", "multifashion", "--set", "train_count=300", "--set", "data.test_count=100");
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Replace("\r\n", "\n").Split('\n');
        Assert.Equal("dataset: multifashion", lines[0]);
        Assert.Equal("input: Float32 (1, 28, 28) grey image, 28×28 pixels in [0, 1]", lines[1]);
        Assert.Contains("top_left      classification  10 classes", lines);
        // 300 training pairs, 10% held out: 270 / 30; 100 test pairs.
        Assert.Contains("train           270                270                    270", lines);
        Assert.Contains("validation       30                 30                     30", lines);
        Assert.Contains("test            100                100                    100", lines);
        // Each task's class counts in the training split add up to the training pairs.
        foreach (var task in new[] { "top_left", "bottom_right" })
        {
            int at = Array.IndexOf(lines, $"labels of {task}");
            var rows = lines.Skip(at + 3).Take(10).ToList();
            Assert.StartsWith("T-shirt/top", rows[0]);
            Assert.StartsWith("Ankle boot", rows[9]);
            Assert.Equal(270, rows.Sum(l => int.Parse(l[13..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Show_of_text_reports_the_vocabulary_and_each_tasks_own_samples()
    {
        var r = CliRun.Mtl("data", "show", "text");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.StartsWith("dataset: text (multi-input: each task has its own samples)\ninput: Int32 (96) token ids, variable length; vocabulary of ", r.Out.Replace("\r\n", "\n"));
        Assert.Contains("sentiment  classification  2 classes", r.Out);
        Assert.Contains("topic      classification  4 classes", r.Out);
        Assert.Contains("labels of topic", r.Out);
    }

    [Fact]
    public void Mistakes_are_config_errors()
    {
        var unknown = CliRun.Mtl("data", "show", "cifar");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("error: unknown dataset 'cifar'; allowed: multifashion, multimnist, synthetic, synthetic-text, text", unknown.Err.TrimEnd());
        var option = CliRun.Mtl("data", "show", "synthetic", "--set", "dims=3");
        Assert.Equal(2, option.ExitCode);
        Assert.StartsWith("error: --set dims=3: unknown key 'dims' in 'data'; allowed: count, dim, ", option.Err);
        var noOut = CliRun.Mtl("data", "preview", "multimnist");
        Assert.Equal("error: dataset 'multimnist' holds images: give --out FILE.png or --out FILE.svg for the picture", noOut.Err.TrimEnd());
        var textOut = CliRun.Mtl("data", "preview", "text", "--out", Path.Combine(CliRun.TempDir(), "t.png"));
        Assert.Equal(2, textOut.ExitCode);
        Assert.Contains("so its preview prints the first samples instead", textOut.Err);
    }

    [Fact]
    public void Preview_writes_a_png_grid_of_labelled_samples()
    {
        var file = Path.Combine(CliRun.TempDir(), "grid.png");
        var r = CliRun.Mtl("data", "preview", "multifashion", "--set", "train_count=100", "--set", "test_count=20", "--count", "8", "--out", file);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.StartsWith($"wrote {file}: 8 train samples of multifashion, ", r.Out);
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(Png.Signature));
        // Two rows of four 28×28 images scaled ×6 with their labels: wider and taller than the images alone.
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.True(width > 4 * 168 && height > 2 * 168, $"{width}×{height}");
    }

    [Fact]
    public void Preview_writes_an_svg_with_the_png_embedded()
    {
        var file = Path.Combine(CliRun.TempDir(), "digits.svg");
        var r = CliRun.Mtl("data", "preview", "multimnist", "--split", "test", "--count", "4", "--out", file);
        Assert.True(r.ExitCode == 0, r.Err);
        var svg = System.Xml.Linq.XDocument.Load(file).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        var href = svg.Elements().Single(e => e.Name.LocalName == "image").Attribute("href")!.Value;
        Assert.StartsWith("data:image/png;base64,", href);
        Assert.True(Convert.FromBase64String(href["data:image/png;base64,".Length..]).AsSpan(0, 8).SequenceEqual(Png.Signature));
    }

    [Fact]
    public void Preview_of_text_prints_the_first_samples_of_each_task_with_their_labels()
    {
        var r = CliRun.Mtl("data", "preview", "text", "--count", "2");
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Replace("\r\n", "\n").TrimEnd().Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("sentiment (train, first 2 of ", lines[0]);
        Assert.Matches(@"^  #\d+ \[sentiment: (neg|pos)\] \S", lines[1]);
        Assert.StartsWith("topic (train, first 2 of ", lines[3]);
        Assert.Matches(@"^  #\d+ \[topic: (World|Sports|Business|Sci/Tech)\] \S", lines[4]);
    }
}
