// Run-time binding to OpenBLAS (cblas_sgemm, openblas_set_num_threads) for side-by-side benchmarks; optional.
using System.Runtime.InteropServices;

namespace Mtl.Bench;

/// <summary>Finds libopenblas with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>; absent is fine.</summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
        "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
        "libopenblas.dylib",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "libopenblas.dll",
        "openblas",
    ];

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>
        _sgemm;
    private static delegate* unmanaged<int, void> _setThreads;
    private static bool _tried;

    /// <summary>The path that loaded, or null.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Loads the library once; false if it is not installed.</summary>
    public static bool TryLoad()
    {
        if (_tried) return LoadedFrom != null;
        _tried = true;
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out IntPtr sgemm)) continue;
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*,
                int, void>)sgemm;
            if (NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out IntPtr set))
                _setThreads = (delegate* unmanaged<int, void>)set;
            LoadedFrom = name;
            return true;
        }
        return false;
    }

    /// <summary>How to install the library, for the message printed when it is missing.</summary>
    public const string InstallHint = "OpenBLAS is not installed; on Debian/Ubuntu: apt-get install -y libopenblas0-pthread";

    public static void SetThreads(int n)
    {
        if (_setThreads != null) _setThreads(n);
    }

    /// <summary>Row-major cblas_sgemm.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b,
        int ldb, float beta, float* c, int ldc) =>
        _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
