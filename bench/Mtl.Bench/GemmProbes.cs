// Diagnostic modes of the gemm benchmark: every kernel kind side by side, the micro-kernel alone, packing speed.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>Tools behind gemm --kernels, --peak and --pack (one thread; use --cpu on a shared machine).</summary>
internal static unsafe class GemmProbes
{
    /// <summary>Every kernel kind forced in turn on a few shapes, alternating: the 512 vs 256-bit comparison.</summary>
    public static int Kernels(bool quick)
    {
        int before = MtlThreads.Count;
        MtlThreads.Count = 1;
        GemmKernelKind[] kinds = [GemmKernelKind.Avx512, GemmKernelKind.Avx2, GemmKernelKind.Portable];
        (int, int, int)[] shapes = quick ? [(256, 256, 256)] : [(256, 256, 256), (1024, 1024, 1024), (256, 50, 320)];
        Console.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}, " +
                          $"Vector256: {Vector256.IsHardwareAccelerated}");
        try
        {
            foreach (var (m, n, k) in shapes)
            {
                using var p = new GemmOperands(m, n, k);
                double flop = 2.0 * m * n * k;
                var res = kinds.ToDictionary(x => x, _ => new List<double>());
                var calls = new Dictionary<GemmKernelKind, int>();
                foreach (var kind in kinds)
                {
                    Gemm.ForceKernel = kind;
                    calls[kind] = GemmTiming.Calibrate(p.Mtl, 0.1);
                }
                for (int r = 0; r < 5; r++)
                    foreach (var kind in kinds)
                    {
                        Gemm.ForceKernel = kind;
                        res[kind].Add(GemmTiming.Sample(p.Mtl, calls[kind], flop));
                    }
                Console.WriteLine($"{m}×{n}×{k}: " + string.Join("  ", kinds.Select(x =>
                    string.Create(CultureInfo.InvariantCulture, $"{x} {GemmTiming.Summary(res[x]):F1} GF/s"))));
            }
        }
        finally
        {
            Gemm.ForceKernel = GemmKernelKind.Auto;
            MtlThreads.Count = before;
        }
        return 0;
    }

    /// <summary>The AVX2 micro-kernel alone on L1-resident panels (best of 30, thread CPU time): the GEMM's ceiling.</summary>
    public static int Peak()
    {
        const int kc = 256;
        float* a = (float*)NativeMemory.AlignedAlloc(8 * kc * 4, 64), b = (float*)NativeMemory.AlignedAlloc(48 * kc * 4, 64);
        float* c = (float*)NativeMemory.AlignedAlloc(8 * 48 * 4, 64);
        for (int i = 0; i < 8 * kc; i++) a[i] = 0.001f * i;
        for (int i = 0; i < 48 * kc; i++) b[i] = 0.002f * i;
        double best = 0, bestRows = 0;
        const int calls = 20_000;
        double flop = 2.0 * 6 * 16 * kc * calls;
        for (int r = 0; r < 30; r++)
        {
            double t0 = GemmTiming.ThreadCpuSeconds();
            for (int i = 0; i < calls; i++) GemmKernelAvx2.Tile(kc, a, 1, 6, b, 16, c, 16, 6, 16, 1f, 1f);
            best = Math.Max(best, flop / (GemmTiming.ThreadCpuSeconds() - t0) * 1e-9);
            t0 = GemmTiming.ThreadCpuSeconds();
            for (int i = 0; i < calls; i++) GemmKernelAvx2.Tile(kc, a, 1, 1, b, 16, c, 16, 6, 16, 1f, 1f);
            bestRows = Math.Max(bestRows, flop / (GemmTiming.ThreadCpuSeconds() - t0) * 1e-9);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"AVX2 6×16 kernel, kc={kc}: {best:F1} GF/s with packed A, {bestRows:F1} GF/s with row-major A"));
        NativeMemory.AlignedFree(a);
        NativeMemory.AlignedFree(b);
        NativeMemory.AlignedFree(c);
        return 0;
    }

    /// <summary>Packing speed of A blocks (floats per ns, best of 20, thread CPU time), row-major and transposed.</summary>
    public static int Pack()
    {
        const int m = 256, k = 320;
        float* src = (float*)NativeMemory.AlignedAlloc(m * k * 4, 64);
        float* dst = (float*)NativeMemory.AlignedAlloc(m * k * 8, 64);
        for (int i = 0; i < m * k; i++) src[i] = i;
        foreach (bool trans in new[] { false, true })
        {
            double best = 0;
            for (int r = 0; r < 20; r++)
            {
                double t0 = GemmTiming.ThreadCpuSeconds();
                for (int i = 0; i < 200; i++)
                    GemmPack.A<GemmKernelAvx2>(m, k, src, trans ? 1 : k, trans ? m : 1, dst);
                best = Math.Max(best, 200.0 * m * k / (GemmTiming.ThreadCpuSeconds() - t0) * 1e-9);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pack A {(trans ? "transposed" : "row-major")} {m}×{k}: {best:F2} floats/ns"));
        }
        NativeMemory.AlignedFree(src);
        NativeMemory.AlignedFree(dst);
        return 0;
    }
}
