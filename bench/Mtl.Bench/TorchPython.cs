// Finds a Python interpreter that can import torch (Debian's python3-torch lives under /usr/bin/python3).
using System.Diagnostics;

namespace Mtl.Bench;

/// <summary>Locates the Python that has PyTorch, preferring Debian's system interpreter over one earlier on PATH.</summary>
internal static class TorchPython
{
    private static readonly Lazy<string?> Found = new(Probe);

    /// <summary>Path of a python3 that imports torch, or null (install with: apt-get install python3-torch).</summary>
    public static string? Interpreter => Found.Value;

    private static string? Probe()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var psi = new ProcessStartInfo(candidate, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                using var p = Process.Start(psi);
                if (p is null) continue;
                p.WaitForExit(60_000);
                if (p.HasExited && p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed at this path
            }
        }
        return null;
    }
}
