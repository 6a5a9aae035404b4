// Runs mtl commands in-process for tests: captured output and error, the exit code, temp folders, repository paths.
using Mtl.Cli.Output;

namespace Mtl.Cli.Tests;

/// <summary>The result of one in-process <c>mtl</c> invocation.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err);

/// <summary>Helpers shared by the CLI tests.</summary>
public static class CliRun
{
    /// <summary>Runs <c>mtl ARGS</c> through the real command line parser with plain output captured.</summary>
    public static CliResult Mtl(params string[] args) => MtlAsync(args).GetAwaiter().GetResult();

    private static async Task<CliResult> MtlAsync(string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int code = await MtlCli.RunAsync(args, new CliIO(output, error));
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Captured plain output for calling a command class directly.</summary>
    public static (CliIO IO, StringWriter Out, StringWriter Err) Capture()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        return (new CliIO(output, error), output, error);
    }

    /// <summary>The repository root (holding Mtl.sln), found by walking up from the test assembly.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The examples/ folder.</summary>
    public static string Examples => Path.Combine(RepoRoot, "examples");

    // One folder per test process, deleted when the process exits.
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "mtl-cli-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    });

    /// <summary>A fresh empty folder under the system temp folder (removed when the test process exits).</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Root.Value, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes <paramref name="yaml"/> to a new file and returns its path.</summary>
    public static string WriteConfig(string yaml, string name = "config.yaml")
    {
        var path = Path.Combine(TempDir(), name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mtl.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"Mtl.sln not found above {AppContext.BaseDirectory}");
    }
}
