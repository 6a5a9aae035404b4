// Which float32 GEMM micro-kernel runs: the kinds, the default choice on this CPU, and a per-thread test override.
using System.Runtime.Intrinsics;

namespace Mtl.Kernels;

/// <summary>The float32 GEMM micro-kernels. <see cref="Auto"/> lets <see cref="Gemm"/> choose.</summary>
internal enum GemmKernelKind
{
    /// <summary>Choose the fastest kernel this CPU supports.</summary>
    Auto = 0,
    /// <summary>8×48 tile of Vector512 fused multiply-adds (runs everywhere; fast only with AVX-512).</summary>
    Avx512,
    /// <summary>6×16 tile of Vector256 fused multiply-adds (runs everywhere; fast with AVX2+FMA).</summary>
    Avx2,
    /// <summary>4×(2·Vector&lt;float&gt;.Count) tile of Vector&lt;float&gt; multiply and add (no FMA required).</summary>
    Portable,
}

/// <summary>Resolves <see cref="GemmKernelKind.Auto"/> into a concrete kernel.</summary>
internal static class GemmKernelSelect
{
    /// <summary>
    /// The default kernel: the 8×48 Vector512 one where Vector512 is hardware accelerated, else the 6×16 AVX2 one, else
    /// the portable one. Measured (gemm --kernels --cpu, one thread, 2026-11-21) on the 2-vCPU Zen 4 VM this was
    /// written on, which does not expose AVX-512 (no avx512 flags, Vector512.IsHardwareAccelerated false): AVX2 78–93
    /// GFLOP/s (256², 1024², 256×50×320), portable 60–74, AVX-512 21–26 — the latter emulated with two 256-bit halves,
    /// so not a hardware figure. The AVX2 micro-kernel alone reaches 99 GFLOP/s (gemm --peak) against a 102 GFLOP/s
    /// pure-FMA ceiling on that VM. Vector512 is preferred where real: on the AVX-512 Zen 4 machines of PERF-NOTES.md a
    /// prototype 8×48 kernel reached 108–113 GFLOP/s on one core against 101–105 for 6×16 AVX2 (this 8×48 kernel is
    /// tested for correctness under emulation only; compare with gemm --kernels where AVX-512 is real).
    /// The environment variable MTL_GEMM_KERNEL (avx512, avx2 or portable, read once) overrides the choice.
    /// </summary>
    public static GemmKernelKind Default { get; } = FromEnvironment() ??
        (Vector512.IsHardwareAccelerated && Vector512<float>.Count == 16 ? GemmKernelKind.Avx512
        : Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Portable);

    private static GemmKernelKind? FromEnvironment() =>
        Environment.GetEnvironmentVariable("MTL_GEMM_KERNEL")?.Trim().ToLowerInvariant() switch
        {
            "avx512" => GemmKernelKind.Avx512,
            "avx2" => GemmKernelKind.Avx2,
            "portable" => GemmKernelKind.Portable,
            _ => null,
        };

    [ThreadStatic] private static GemmKernelKind _force;

    /// <summary>Kernel forced for calls made from the current thread (Auto = default). For tests and benchmarks.</summary>
    public static GemmKernelKind Force
    {
        get => _force;
        set => _force = value;
    }

    /// <summary>The kernel that a call from this thread runs.</summary>
    public static GemmKernelKind Current => _force == GemmKernelKind.Auto ? Default : _force;
}
