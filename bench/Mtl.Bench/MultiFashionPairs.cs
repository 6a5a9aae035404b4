// Builds the MultiFashion train/test pairs of the `multifashion` benchmark and writes them as raw arrays for PyTorch.
using System.Globalization;
using System.Runtime.InteropServices;
using Mtl.Data;

namespace Mtl.Bench;

/// <summary>The train and test pairs of one benchmark run and where they came from.</summary>
internal sealed record MultiFashionPairs(InMemoryDataset Train, InMemoryDataset Test, string Dataset, string Source)
{
    /// <summary>The two tasks, in the order the label files hold them.</summary>
    public static readonly string[] Tasks = ["top_left", "bottom_right"];

    /// <summary>Seeds of the pairings: the training pairs use seed 0, the test pairs seed 1 (fixed, not the training seed).</summary>
    public const ulong TrainPairSeed = 0, TestPairSeed = 1;

    /// <summary>
    /// Full run: 60,000 training pairs from the full Fashion-MNIST training set and 10,000 test pairs from its test set
    /// (Sener–Koltun recipe, each image paired with a random partner of the same split); null when the full set is not
    /// installed. Quick run: the first 2,000 training and 1,000 test images of the full set, or of the committed sample
    /// when the full set is absent.
    /// </summary>
    public static MultiFashionPairs? Build(bool quick)
    {
        string? dir = FashionMnist.TryFind();
        IMultiTaskDataset trainImages, testImages;
        string dataset, source;
        if (dir is not null)
        {
            trainImages = FashionMnist.Load(train: true, dir, limit: quick ? 2_000 : null);
            testImages = FashionMnist.Load(train: false, dir, limit: quick ? 1_000 : null);
            dataset = quick ? "full-subset" : "full";
            source = $"full Fashion-MNIST ({dir})";
        }
        else if (quick)
        {
            trainImages = Samples.FashionTrain();
            testImages = Samples.FashionTest();
            dataset = "sample";
            source = $"committed sample (data/{Samples.FashionFolder}); full set not installed: {FashionMnist.InstallCommand}";
        }
        else return null;
        var train = MultiDigitBuilder.MultiFashion(trainImages, new MultiDigitOptions { Seed = TrainPairSeed, Count = quick ? Math.Min(2_000, trainImages.Count) : null });
        var test = MultiDigitBuilder.MultiFashion(testImages, new MultiDigitOptions { Seed = TestPairSeed, Count = quick ? Math.Min(1_000, testImages.Count) : null });
        return new MultiFashionPairs(train, test, dataset, source);
    }

    /// <summary>
    /// Writes the pairs into <paramref name="folder"/> in the layout bench/reference/multifashion_lenet.py reads:
    /// meta.json, {train,test}_x.f32 (N·1·28·28 little-endian float32) and {train,test}_y.i32 (N·2 little-endian int32,
    /// top_left then bottom_right per sample).
    /// </summary>
    public void Write(string folder)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("MultiFashionPairs.Write assumes a little-endian machine");
        Directory.CreateDirectory(folder);
        foreach (var (split, data) in new[] { ("train", Train), ("test", Test) })
        {
            File.WriteAllBytes(Path.Combine(folder, $"{split}_x.f32"), MemoryMarshal.AsBytes(data.AllInputs().AsSpan()).ToArray());
            var labels = Tasks.Select(t => data.ClassLabels(t)).ToArray();
            var y = new int[2 * data.Count];
            for (int i = 0; i < data.Count; i++) { y[2 * i] = labels[0][i]; y[2 * i + 1] = labels[1][i]; }
            File.WriteAllBytes(Path.Combine(folder, $"{split}_y.i32"), MemoryMarshal.AsBytes(y.AsSpan()).ToArray());
        }
        File.WriteAllText(Path.Combine(folder, "meta.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"train\":{Train.Count},\"test\":{Test.Count},\"channels\":1,\"height\":28,\"width\":28,\"tasks\":[\"{Tasks[0]}\",\"{Tasks[1]}\"],\"classes\":10}}"));
    }
}
