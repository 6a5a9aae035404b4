// Finds and loads the full Fashion-MNIST (Debian's dataset-fashion-mnist package, or a folder the user gives).
namespace Mtl.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017; MIT licence): 60,000 training and 10,000 test images of 28 × 28,
/// ten clothing classes. <c>apt-get install -y dataset-fashion-mnist</c> puts the four IDX files (gzip) in
/// <see cref="DefaultDirectory"/>; any folder holding <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c> works.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable naming a folder to look in before the default one.</summary>
    public const string EnvironmentVariable = "MTL_FASHION_MNIST";

    /// <summary>The command that installs the full data set.</summary>
    public const string InstallCommand = "apt-get install -y dataset-fashion-mnist";

    /// <summary>Task name of the item class in loaded datasets.</summary>
    public const string TaskName = "item";

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The folders searched, in order: <paramref name="directory"/>, $MTL_FASHION_MNIST, the default.</summary>
    public static IReadOnlyList<string> Candidates(string? directory = null)
    {
        var list = new List<string>();
        if (!string.IsNullOrEmpty(directory)) list.Add(directory);
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) list.Add(env);
        list.Add(DefaultDirectory);
        return list;
    }

    /// <summary>The first candidate folder holding all four files, or null.</summary>
    public static string? TryFind(string? directory = null) => TryFindIn(Candidates(directory));

    /// <summary>The folder holding the full data set.</summary>
    /// <exception cref="FileNotFoundException">None found: the message lists the folders tried and the install command.</exception>
    public static string Find(string? directory = null) => FindIn(Candidates(directory));

    internal static string? TryFindIn(IReadOnlyList<string> candidates) =>
        candidates.FirstOrDefault(d => Files(d, true) is not null && Files(d, false) is not null);

    internal static string FindIn(IReadOnlyList<string> candidates) => TryFindIn(candidates) ?? throw new FileNotFoundException(
        $"Fashion-MNIST not found; looked for train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (or without .gz) in: {string.Join(", ", candidates)}. " +
        $"Install it with `{InstallCommand}` (files go to {DefaultDirectory}), or pass the folder holding them (or set {EnvironmentVariable}). " +
        "A 3,000 + 1,000 image sample ships in the repository's data/ folder (Samples.FashionTrain / FashionTest).");

    /// <summary>Loads the training (60,000) or test (10,000) split: input (1, 28, 28) in [0, 1], task "item" (10 classes).</summary>
    public static InMemoryDataset Load(bool train, string? directory = null, int? limit = null)
    {
        var (images, labels) = Files(Find(directory), train)!.Value;
        return IdxFile.LoadDataset(images, labels, TaskName, 10, ClassNames, limit);
    }

    /// <summary>The (images, labels) paths of one split in <paramref name="directory"/>, or null when absent.</summary>
    public static (string Images, string Labels)? Files(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        foreach (var ext in new[] { ".gz", "" })
        {
            string images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte{ext}");
            string labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte{ext}");
            if (File.Exists(images) && File.Exists(labels)) return (images, labels);
        }
        return null;
    }
}
