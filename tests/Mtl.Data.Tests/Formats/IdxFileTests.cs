// Tests of the IDX reader/writer: plain and gzip files, and one test per malformed-file case named in the issue.
using System.IO.Compression;

namespace Mtl.Data.Tests;

public class IdxFileTests
{
    private static byte[] Pixels(int n, int rows, int cols) => Enumerable.Range(0, n * rows * cols).Select(i => (byte)(i * 7 % 256)).ToArray();

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal)) z.Write(raw);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripsImagesAndLabelsPlainOrGzip(bool gzip)
    {
        using var dir = ImageTestData.TempDirectory();
        var px = Pixels(5, 3, 4);
        IdxFile.WriteImages(dir.File("img"), 3, 4, px, gzip);     // no .gz suffix: detection is by header
        IdxFile.WriteLabels(dir.File("lbl"), [0, 1, 2, 9, 4], gzip);
        var raw = File.ReadAllBytes(dir.File("img"));
        Assert.Equal(gzip, raw[0] == 0x1f && raw[1] == 0x8b);
        if (!gzip) Assert.Equal([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 4], raw[..16]);   // big-endian magic and dims
        var images = IdxFile.ReadImages(dir.File("img"));
        Assert.Equal((5, 3, 4), (images.Count, images.Rows, images.Cols));
        Assert.Equal(px, images.Pixels);
        Assert.Equal(px[13] / 255f, images.ToFloats()[13]);
        Assert.Equal([0, 1, 2, 9, 4], IdxFile.ReadLabels(dir.File("lbl")));
        var ds = IdxFile.LoadDataset(dir.File("img"), dir.File("lbl"), "item", 10, limit: 4);
        Assert.Equal(4, ds.Count);
        Assert.Equal([1, 3, 4], ds.Input.Shape);
        Assert.Equal([0, 1, 2, 9], ds.ClassLabels("item"));
    }

    [Fact]
    public void WrongMagicNumberSaysFoundExpectedAndFile()
    {
        using var dir = ImageTestData.TempDirectory();
        IdxFile.WriteLabels(dir.File("labels.gz"), [1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("labels.gz")));
        Assert.Contains(dir.File("labels.gz"), e.Message);
        Assert.Contains("wrong magic number 2049", e.Message);
        Assert.Contains("expected 2051", e.Message);
        File.WriteAllBytes(dir.File("junk"), [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0]);
        var junk = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(dir.File("junk")));
        Assert.Contains("expected 2049", junk.Message);
        Assert.Contains("not an IDX header", junk.Message);
    }

    [Fact]
    public void TruncatedGzipSaysFileAndBytesExpectedVersusFound()
    {
        using var dir = ImageTestData.TempDirectory();
        var full = Gzip(IdxFile.Encode(IdxFile.ImagesMagic, [50, 28, 28], Pixels(50, 28, 28)));
        File.WriteAllBytes(dir.File("cut.gz"), full[..(full.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("cut.gz")));
        Assert.Contains(dir.File("cut.gz"), e.Message);
        Assert.Contains("39200 bytes", e.Message);   // 50 × 28 × 28 expected
        Assert.Contains("truncated gzip", e.Message);
        Assert.Matches(@"(found only|decompressed) \d+", e.Message);
        // Cut inside the gzip trailer: every data byte is there, GZipStream does not object, the ISIZE check does.
        File.WriteAllBytes(dir.File("trailer.gz"), full[..^3]);
        var t = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("trailer.gz")));
        Assert.Contains(dir.File("trailer.gz"), t.Message);
        Assert.Contains("IDX header and data take 39216", t.Message);
        File.WriteAllBytes(dir.File("tiny.gz"), full[..6]);
        Assert.Contains("truncated gzip", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("tiny.gz"))).Message);
    }

    [Fact]
    public void TruncatedPlainFileSaysBytesExpectedVersusFound()
    {
        using var dir = ImageTestData.TempDirectory();
        var bytes = IdxFile.Encode(IdxFile.ImagesMagic, [4, 2, 2], Pixels(4, 2, 2));
        File.WriteAllBytes(dir.File("short"), bytes[..(bytes.Length - 3)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("short")));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("16 bytes after the header, found only 13", e.Message);
        File.WriteAllBytes(dir.File("header"), bytes[..10]);
        Assert.Contains("truncated file: the header needs 16 bytes, found 10", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("header"))).Message);
    }

    [Fact]
    public void ImageLabelCountMismatchNamesBothCountsAndFiles()
    {
        using var dir = ImageTestData.TempDirectory();
        IdxFile.WriteImages(dir.File("i.gz"), 2, 2, Pixels(3, 2, 2));
        IdxFile.WriteLabels(dir.File("l.gz"), [0, 1]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.LoadDataset(dir.File("i.gz"), dir.File("l.gz"), "item", 10));
        Assert.Contains($"{dir.File("i.gz")} holds 3 images", e.Message);
        Assert.Contains($"{dir.File("l.gz")} holds 2 labels", e.Message);
    }

    [Fact]
    public void LabelOutsideTheTaskClassesNamesFileRecordAndValue()
    {
        using var dir = ImageTestData.TempDirectory();
        IdxFile.WriteImages(dir.File("i.gz"), 2, 2, Pixels(3, 2, 2));
        IdxFile.WriteLabels(dir.File("l.gz"), [0, 11, 1]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.LoadDataset(dir.File("i.gz"), dir.File("l.gz"), "item", 10));
        Assert.Contains(dir.File("l.gz"), e.Message);
        Assert.Contains("record 1 has label 11", e.Message);
        Assert.Contains("[0, 10)", e.Message);
    }

    [Fact]
    public void CommittedFashionSampleLoads()
    {
        var train = Samples.FashionTrain();
        var test = Samples.FashionTest();
        Assert.Equal(3000, train.Count);
        Assert.Equal(1000, test.Count);
        Assert.Equal([1, 28, 28], train.Input.Shape);
        Assert.All(train.ClassLabels("item").CountBy(y => y), kv => Assert.Equal(300, kv.Value));
        Assert.All(test.ClassLabels("item").CountBy(y => y), kv => Assert.Equal(100, kv.Value));
        Assert.Equal(FashionMnist.ClassNames, train.Tasks[0].ClassNames);
        var x = train.Inputs.Span;
        float min = float.MaxValue, max = float.MinValue;
        foreach (var v in x) { min = Math.Min(min, v); max = Math.Max(max, v); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
        Assert.Equal(9, train.ClassLabels("item")[0]); // Fashion-MNIST's first training image is an ankle boot
    }

    [Fact]
    public void MissingFullDataSetSaysWhereItLookedAndHowToInstall()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.FindIn(["/no/such/dir", "/also/not/here"]));
        Assert.Contains("/no/such/dir, /also/not/here", e.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", e.Message);
        Assert.Contains(FashionMnist.DefaultDirectory, e.Message);
        Assert.Equal("/no/such/dir", FashionMnist.Candidates("/no/such/dir")[0]);
        Assert.Equal(FashionMnist.DefaultDirectory, FashionMnist.Candidates()[^1]);
        Assert.Null(FashionMnist.Files("/no/such/dir", true));
    }

    [Fact]
    public void FindsAFolderTheUserGives()
    {
        using var dir = ImageTestData.TempDirectory();
        foreach (var prefix in new[] { "train", "t10k" })
        {
            IdxFile.WriteImages(dir.File($"{prefix}-images-idx3-ubyte"), 28, 28, new byte[2 * 784], gzip: false);
            IdxFile.WriteLabels(dir.File($"{prefix}-labels-idx1-ubyte"), [3, 4], gzip: false);
        }
        Assert.Equal(dir.Path, FashionMnist.Find(dir.Path));
        var test = FashionMnist.Load(train: false, dir.Path);
        Assert.Equal([3, 4], test.ClassLabels("item"));
    }
}
