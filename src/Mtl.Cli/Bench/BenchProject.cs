// Finds bench/Mtl.Bench in a checkout of the repository and runs it with `dotnet run`, streaming its output.
using System.Diagnostics;
using Mtl.Cli.Config;

namespace Mtl.Cli.Bench;

/// <summary>
/// The benchmarks live in bench/Mtl.Bench, a project of the repository that the tool package does not ship; <c>mtl
/// bench</c> therefore runs that project from the checkout it finds above the working directory (or above the tool's
/// own files, when the tool runs from the repository's build output).
/// </summary>
internal static class BenchProject
{
    /// <summary>The project file, relative to the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("bench", "Mtl.Bench", "Mtl.Bench.csproj");

    /// <summary>The project file found above <paramref name="starts"/> (default: the working directory and the tool's folder), or null.</summary>
    public static string? TryFind(params string[] starts)
    {
        if (starts.Length == 0) starts = [Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>The project file; a clear error when the tool runs outside the repository.</summary>
    public static string Find(params string[] starts) => TryFind(starts) ?? throw new ConfigException(null,
        $"mtl bench runs the benchmarks of {RelativePath.Replace('\\', '/')} from a checkout of the Mtl repository (they are not part of the tool package); " +
        $"none was found above {string.Join(" or ", starts.Length == 0 ? [Directory.GetCurrentDirectory(), AppContext.BaseDirectory] : starts)}: run mtl bench inside the repository");

    /// <summary>The <c>dotnet</c> arguments that run <paramref name="project"/> with <paramref name="benchArgs"/>.</summary>
    public static IReadOnlyList<string> DotnetArguments(string project, IReadOnlyList<string> benchArgs, bool noBuild) =>
        ["run", "-c", "Release", .. (noBuild ? new[] { "--no-build" } : []), "--project", project, "--", .. benchArgs];

    /// <summary>Runs the benchmarks with <paramref name="benchArgs"/>, copying their output; returns their exit code.</summary>
    public static int Run(string project, IReadOnlyList<string> benchArgs, bool noBuild, TextWriter output, TextWriter error)
    {
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in DotnetArguments(project, benchArgs, noBuild)) start.ArgumentList.Add(a);
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var err = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null) output.WriteLine(line);
        error.Write(err.GetAwaiter().GetResult());
        process.WaitForExit();
        return process.ExitCode;
    }

    // The dotnet host running this tool when there is one (dotnet mtl.dll), else `dotnet` on the PATH.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
