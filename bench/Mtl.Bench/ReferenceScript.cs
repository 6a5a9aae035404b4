// Runs a PyTorch reference script from bench/reference/ and collects the JSON objects it prints, one per line.
using System.Diagnostics;
using System.Text.Json;
using Mtl.Data;

namespace Mtl.Bench;

/// <summary>
/// A reference script under <c>bench/reference/</c> run with the Python that has PyTorch (<see cref="TorchPython"/>).
/// The script prints one JSON object per line on stdout; other lines are passed through. The process gets
/// <c>OPENBLAS_NUM_THREADS=1</c> and <c>OMP_WAIT_POLICY=PASSIVE</c> so that OpenBLAS's threads do not compete with
/// PyTorch's own (see PERF-NOTES: with both active PyTorch slows down several times on two cores).
/// </summary>
internal static class ReferenceScript
{
    /// <summary>The script's path, found from the repository root above the working or the program's folder; null if absent.</summary>
    public static string? Find(string fileName)
    {
        var data = Samples.TryFindDataDirectory();
        var roots = new List<string>();
        if (data is not null) roots.Add(Path.GetDirectoryName(Path.GetFullPath(data))!);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent) roots.Add(d.FullName);
        return roots.Select(r => Path.Combine(r, "bench", "reference", fileName)).FirstOrDefault(File.Exists);
    }

    /// <summary>The outcome of a run: parsed JSON lines in order, or why there are none.</summary>
    public sealed record Result(IReadOnlyList<JsonElement> Objects, string? Failure)
    {
        /// <summary>The last object whose "event" is <paramref name="name"/>, if any.</summary>
        public JsonElement? Event(string name) => Objects.LastOrDefault(o => o.TryGetProperty("event", out var e) && e.GetString() == name) is { ValueKind: JsonValueKind.Object } found ? found : null;
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="args"/>; every stdout line is echoed to the console with
    /// <paramref name="echoPrefix"/> (null: silent). Failure says why no result came (no torch, no script, exit code, timeout).
    /// </summary>
    public static Result Run(string script, IEnumerable<string> args, string? echoPrefix, TimeSpan timeout)
    {
        if (TorchPython.Interpreter is not { } python) return new Result([], "no python3 can import torch (apt-get install python3-torch)");
        if (Find(script) is not { } path) return new Result([], $"reference script bench/reference/{script} not found above {Directory.GetCurrentDirectory()}");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        var objects = new List<JsonElement>();
        var stderr = new System.Text.StringBuilder();
        try
        {
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                if (echoPrefix is not null) Console.WriteLine(echoPrefix + e.Data);
                if (!e.Data.StartsWith('{')) return;
                try
                {
                    using var doc = JsonDocument.Parse(e.Data);
                    lock (objects) objects.Add(doc.RootElement.Clone());
                }
                catch (JsonException) { /* not one of the script's objects */ }
            };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return new Result(objects, $"{script} ran past {timeout.TotalSeconds:F0} s and was stopped");
            }
            p.WaitForExit(); // drain the asynchronous readers
            if (p.ExitCode != 0)
                return new Result(objects, $"{script} exited with code {p.ExitCode}: {Tail(stderr.ToString())}");
            return new Result(objects, null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Result([], $"could not start {python}: {e.Message}");
        }
    }

    private static string Tail(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(3));
    }
}
