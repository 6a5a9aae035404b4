// Size sweeps of float32 GEMM against the float64 oracle: every kernel, transpose combination, path and 1/2 threads.
using Mtl.Kernels;

namespace Mtl.Tests.Kernels;

[Collection(GlobalSettingsCollection.Name)]
public class GemmSweepTests
{
    private static readonly int[] Sizes = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 47, 48, 49, 63, 64, 65, 97, 129, 200];

    private static readonly (float Alpha, float Beta)[] Scalars =
        [(1f, 0f), (0.5f, 1f), (-2f, 0.5f), (1f, -2f), (0.5f, 0f), (-2f, 1f), (0f, 0.5f), (1f, 1f)];

    public static IEnumerable<object[]> KernelsAndTransposes()
    {
        foreach (var kind in new[] { GemmKernelKind.Avx2, GemmKernelKind.Avx512, GemmKernelKind.Portable })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [kind.ToString(), ta, tb];
    }

    /// <summary>
    /// m × n over the whole size list with k, alpha/beta, padding, path (auto/direct/packed, tiny blocks) and 1 or 2
    /// threads rotating, so each combination of interest is met somewhere without running the full cube.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void Sweep_matches_oracle(string kernel, bool transA, bool transB)
    {
        var kind = Enum.Parse<GemmKernelKind>(kernel);
        // The Vector512 kernel is emulated (slow) where AVX-512 is absent: give it every other size pair.
        int step = kind == GemmKernelKind.Avx512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 2 : 1;
        int idx = 0;
        for (int im = 0; im < Sizes.Length; im++)
        {
            for (int jn = (im % step); jn < Sizes.Length; jn += step, idx++)
            {
                int m = Sizes[im], n = Sizes[jn];
                int k = Sizes[(im * 7 + jn * 3 + (transA ? 5 : 0) + (transB ? 11 : 0)) % Sizes.Length];
                var (alpha, beta) = Scalars[idx % Scalars.Length];
                SgemmPath? path = (idx / 3 % 4) switch { 0 => null, 1 => SgemmPath.Direct, _ => SgemmPath.Packed };
                bool tiny = idx / 3 % 4 == 3;
                int threads = 1 + idx % 2;
                using var settings = new GemmSettings(kind, path, threads, minParallelWork: 0, tinyBlocks: tiny);
                var c = new GemmCase(transA, transB, m, n, k, alpha, beta, pad: idx % 5, seed: idx);
                c.Verify(c.Run(), $"{kind} path={path?.ToString() ?? "auto"} tiny={tiny} threads={threads} {c}");
            }
        }
    }
}
