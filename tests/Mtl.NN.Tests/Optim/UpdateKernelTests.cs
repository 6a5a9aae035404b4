// The vectorised optimiser updates against their naive element-by-element references, over sizes around the chunking.
using Mtl.NN.Optim.Updates;

namespace Mtl.NN.Tests.Optim;

public class UpdateKernelTests
{
    // 0, 1, odd, around SIMD widths, around the 512-element chunk, and a large one.
    public static TheoryData<int> Sizes() => [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 511, 512, 513, 1537, 5000];

    private static double[] Rand(Generator g, int n, double scale = 1) => Tensor.RandN([n], g, 0, scale, DType.Float64).ToDoubleArray();

    private static void Close(double[] expected, double[] actual, double tol, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= tol * Math.Max(1, Math.Abs(expected[i]))))
                Assert.Fail($"{what}, element {i} of {expected.Length}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Runs three steps of an update in float32 and float64 on fast and reference paths and compares every buffer.</summary>
    private static void Check(int n, int buffers, Action<float[][], int> fast32, Action<float[][], int> ref32,
        Action<double[][], int> fast64, Action<double[][], int> ref64, string what)
    {
        var g = new Generator((ulong)n + 11);
        // Buffer 0 is the parameter, 1 the gradient (redrawn per step), the rest state starting at zero.
        var init = Enumerable.Range(0, 2 + buffers).Select(b => b < 2 ? Rand(g, n) : new double[n]).ToArray();
        var steps = Enumerable.Range(0, 3).Select(_ => Rand(g, n, 0.7)).ToArray();

        var a32 = init.Select(x => x.Select(v => (float)v).ToArray()).ToArray();
        var b32 = init.Select(x => x.Select(v => (float)v).ToArray()).ToArray();
        var a64 = init.Select(x => x.ToArray()).ToArray();
        var b64 = init.Select(x => x.ToArray()).ToArray();
        for (int k = 0; k < 3; k++)
        {
            for (int i = 0; i < n; i++) { a32[1][i] = b32[1][i] = (float)steps[k][i]; a64[1][i] = b64[1][i] = steps[k][i]; }
            fast32(a32, k + 1);
            ref32(b32, k + 1);
            fast64(a64, k + 1);
            ref64(b64, k + 1);
        }
        for (int b = 0; b < a32.Length; b++)
        {
            Close(b32[b].Select(v => (double)v).ToArray(), a32[b].Select(v => (double)v).ToArray(), 1e-6, $"{what} float32 buffer {b}");
            Close(b64[b], a64[b], 1e-14, $"{what} float64 buffer {b}");
        }
        // The parameter must actually have moved (a no-op update would pass the comparison).
        if (n > 0) Assert.NotEqual(init[0][0], a64[0][0]);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sgd_matches_reference(int n)
    {
        foreach (var (mom, damp, nest, wd, max) in new[] { (0.0, 0.0, false, 0.0, false), (0.9, 0.0, true, 0.01, false), (0.8, 0.3, false, 0.05, true) })
        {
            SgdHyper H(int step) => new(0.1, mom, damp, nest, wd, max, step == 1);
            Check(n, 1,
                (s, t) => SgdUpdate.Apply<float>(s[0], s[1], s[2], H(t)), (s, t) => SgdUpdate.Reference<float>(s[0], s[1], s[2], H(t)),
                (s, t) => SgdUpdate.Apply<double>(s[0], s[1], s[2], H(t)), (s, t) => SgdUpdate.Reference<double>(s[0], s[1], s[2], H(t)),
                $"sgd momentum={mom} nesterov={nest}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Adam_matches_reference(int n)
    {
        foreach (var (wd, decoupled, ams, max) in new[] { (0.0, false, false, false), (0.1, false, true, false), (0.1, true, false, true), (0.05, true, true, false) })
        {
            AdamHyper H(int step) => new(0.01, 0.8, 0.95, 1e-8, wd, decoupled, ams, max, step);
            Check(n, 3,
                (s, t) => AdamUpdate.Apply<float>(s[0], s[1], s[2], s[3], s[4], H(t)), (s, t) => AdamUpdate.Reference<float>(s[0], s[1], s[2], s[3], s[4], H(t)),
                (s, t) => AdamUpdate.Apply<double>(s[0], s[1], s[2], s[3], s[4], H(t)), (s, t) => AdamUpdate.Reference<double>(s[0], s[1], s[2], s[3], s[4], H(t)),
                $"adam wd={wd} decoupled={decoupled} amsgrad={ams}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RmsProp_matches_reference(int n)
    {
        foreach (var (mom, centered, wd, max) in new[] { (0.0, false, 0.0, false), (0.5, true, 0.01, false), (0.9, false, 0.0, true), (0.0, true, 0.1, false) })
        {
            var h = new RmsPropHyper(0.01, 0.9, 1e-6, wd, mom, centered, max);
            Check(n, 3,
                (s, _) => RmsPropUpdate.Apply<float>(s[0], s[1], s[2], s[3], s[4], h), (s, _) => RmsPropUpdate.Reference<float>(s[0], s[1], s[2], s[3], s[4], h),
                (s, _) => RmsPropUpdate.Apply<double>(s[0], s[1], s[2], s[3], s[4], h), (s, _) => RmsPropUpdate.Reference<double>(s[0], s[1], s[2], s[3], s[4], h),
                $"rmsprop momentum={mom} centered={centered}");
        }
    }

    [Fact]
    public void Adam_first_step_moves_each_element_by_about_lr()
    {
        // Hand-computed: after bias correction, m̂ = g and v̂ = g², so the first step is lr·g/(|g| + eps).
        float[] p = [1, -2, 3], g = [0.5f, -4, 1e-3f], m = new float[3], v = new float[3];
        AdamUpdate.Apply<float>(p, g, m, v, default, new AdamHyper(0.1, 0.9, 0.999, 1e-8, 0, false, false, false, 1));
        Assert.Equal(0.9f, p[0], 1e-6f);
        Assert.Equal(-1.9f, p[1], 1e-6f);
        Assert.Equal(2.9f, p[2], 1e-5f);
    }
}
