// One long-lived PyTorch reference process of the `compare` benchmark, driven line by line over stdin/stdout.
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Mtl.Bench;

/// <summary>
/// Runs bench/reference/compare_&lt;model&gt;.py (protocol in compare_common.py): it loads the data once, then trains
/// the number of steps it is told per <c>train K</c> line, so Mtl and PyTorch rounds can alternate in one run. The
/// process gets <c>OMP_WAIT_POLICY=PASSIVE</c> and a chosen <c>OPENBLAS_NUM_THREADS</c> (PERF-NOTES: PyTorch's OpenMP
/// threads and OpenBLAS's must not compete, or two-thread runs slow down several times).
/// </summary>
internal sealed class CompareTorch : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TimeSpan _timeout;

    private CompareTorch(Process process, TimeSpan timeout)
    {
        _process = process;
        _timeout = timeout;
    }

    /// <summary>The "model" line: parameter count, threads, torch version.</summary>
    public JsonElement Model { get; private set; }

    /// <summary>Starts the script, or returns null with <paramref name="failure"/> saying why (no torch, no script, crash).</summary>
    /// <remarks><paramref name="openBlasThreads"/> sets <c>OPENBLAS_NUM_THREADS</c> (PyTorch's own threads come from the
    /// script's --threads).</remarks>
    public static CompareTorch? Start(string script, IEnumerable<string> args, int openBlasThreads, TimeSpan timeout, out string? failure)
    {
        failure = null;
        if (TorchPython.Interpreter is not { } python) { failure = "no python3 can import torch (apt-get install python3-torch)"; return null; }
        if (ReferenceScript.Find(script) is not { } path) { failure = $"reference script bench/reference/{script} not found"; return null; }
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OPENBLAS_NUM_THREADS"] = $"{openBlasThreads}";
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        var p = new Process { StartInfo = psi };
        p.Start();
        var worker = new CompareTorch(p, timeout);
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (worker._stderr) worker._stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        if (worker.Read("model") is not { } model)
        {
            failure = $"{script} did not start: {worker.Tail()}";
            worker.Dispose();
            return null;
        }
        worker.Model = model;
        return worker;
    }

    /// <summary>Trains <paramref name="steps"/> steps; the "round" line (seconds, loss), or null if the script failed.</summary>
    public JsonElement? Train(int steps) => Send($"train {steps}", "round");

    /// <summary>Evaluation loss and accuracy on the eval split ("eval" line).</summary>
    public JsonElement? Eval() => Send("eval", "eval");

    /// <summary>Ends the script; its "final" line (ru_maxrss).</summary>
    public JsonElement? Quit() => Send("quit", "final");

    /// <summary>The last lines of the script's stderr.</summary>
    public string Tail()
    {
        lock (_stderr)
            return string.Join(" | ", _stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
    }

    private JsonElement? Send(string line, string awaited)
    {
        if (_process.HasExited) return null;
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        return Read(awaited);
    }

    private JsonElement? Read(string awaited)
    {
        while (true)
        {
            string? line;
            try { line = _process.StandardOutput.ReadLineAsync().WaitAsync(_timeout).GetAwaiter().GetResult(); }
            catch (TimeoutException) { return null; }
            if (line is null) return null;
            if (!line.StartsWith('{')) continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement.Clone();
            if (root.TryGetProperty("event", out var e) && e.GetString() == awaited) return root;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5_000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        _process.Dispose();
    }
}
