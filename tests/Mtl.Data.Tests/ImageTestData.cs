// Helpers for the image/numeric data tests: small generated datasets and scratch directories that clean themselves up.
namespace Mtl.Data.Tests;

internal static class ImageTestData
{
    /// <summary>
    /// n samples of shape (1, 2, 3) whose input values are 1000·i + k (so a batch row identifies its sample), a 10-class
    /// task "cls" with label i mod 10 and a width-2 vector task "vec" = (i, −i), absent for every third sample.
    /// </summary>
    public static InMemoryDataset Numbered(int n)
    {
        var x = new float[n * 6];
        for (int i = 0; i < n; i++) for (int k = 0; k < 6; k++) x[i * 6 + k] = 1000 * i + k;
        var cls = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        var vec = Enumerable.Range(0, n).SelectMany(i => new float[] { i, -i }).ToArray();
        var present = Enumerable.Range(0, n).Select(i => i % 3 != 0).ToArray();
        return new InMemoryDataset([1, 2, 3], x, LabelColumn.Classes("cls", 10, cls), LabelColumn.Vectors("vec", 2, vec, present));
    }

    /// <summary>n random 28×28 images in [0, 1] with labels i mod classes under task <paramref name="task"/>.</summary>
    public static InMemoryDataset RandomImages(int n, ulong seed, string task = "item", int classes = 10)
    {
        var gen = new Generator(seed);
        var x = new float[n * 784];
        gen.FillUniform(x, 0, 1);
        return new InMemoryDataset([1, 28, 28], x, LabelColumn.Classes(task, classes, Enumerable.Range(0, n).Select(i => i % classes).ToArray()));
    }

    /// <summary>A fresh empty directory under the system temp folder, deleted on dispose.</summary>
    public static Scratch TempDirectory() => new();

    internal sealed class Scratch : IDisposable
    {
        public Scratch()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mtl-data-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
