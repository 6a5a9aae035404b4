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
    /// The default kernel. Vector512 is used where it is hardware accelerated: on the Zen 4 machines of PERF-NOTES.md a
    /// prototype 8×48 AVX-512 kernel reached 108–113 GFLOP/s on one core against 101–105 for a 6×16 AVX2 one. The VM this
    /// code was written on hides AVX-512 (Vector512.IsHardwareAccelerated is false), so there the AVX2 kernel runs:
    /// measured by GemmBench --kernels, see the numbers in Kernels/GemmKernelAvx2.cs.
    /// </summary>
    public static GemmKernelKind Default { get; } =
        Vector512.IsHardwareAccelerated && Vector512<float>.Count == 16 ? GemmKernelKind.Avx512
        : Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Portable;

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
