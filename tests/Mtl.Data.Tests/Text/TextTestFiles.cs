// Test helpers for the tabular and text tests: the repository's fixture folders and throw-away temp folders.
using System.Text;

namespace Mtl.Data.Tests;

/// <summary>Locates committed fixtures (found by walking up to Mtl.sln) and creates scratch folders.</summary>
internal static class TextTestFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mtl.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Mtl.sln not found above {AppContext.BaseDirectory}");
    });

    /// <summary>The repository's <c>data/text</c> folder (synthetic IMDB / AG News samples).</summary>
    public static string DataText => Path.Combine(Root.Value, "data", "text");

    /// <summary>A file of <c>tests/Mtl.Data.Tests/Fixtures/text</c>.</summary>
    public static string Fixture(string name) => Path.Combine(Root.Value, "tests", "Mtl.Data.Tests", "Fixtures", "text", name);
}

/// <summary>A temp folder deleted on dispose; <see cref="Write"/> creates files (and their folders) inside it.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mtl-text-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes UTF-8 <paramref name="content"/> to the relative path; returns the full path.</summary>
    public string Write(string relative, string content) => WriteBytes(relative, new UTF8Encoding(false).GetBytes(content));

    /// <summary>Writes raw bytes to the relative path; returns the full path.</summary>
    public string WriteBytes(string relative, byte[] content)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
