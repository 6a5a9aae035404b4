// float32 GEMM on large and skinny shapes, special scalars (k = 0, alpha = 0, NaN in C) and determinism.
using Mtl.Kernels;

namespace Mtl.Tests.Kernels;

[Collection(GlobalSettingsCollection.Name)]
public class GemmShapeTests
{
    public static IEnumerable<object[]> Transposes() =>
        from ta in new[] { false, true } from tb in new[] { false, true } select new object[] { ta, tb };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Large_problem_matches_oracle_on_every_path_and_thread_count(bool transA, bool transB)
    {
        var c = new GemmCase(transA, transB, 513, 1000, 385, 0.5f, -2f, pad: 3, seed: 7);
        foreach (SgemmPath? path in new SgemmPath?[] { null, SgemmPath.Direct, SgemmPath.Packed })
            foreach (int threads in new[] { 1, 2 })
            {
                using var s = new GemmSettings(path: path, threads: threads);
                c.Verify(c.Run(), $"path={path} threads={threads} {c}");
            }
    }

    [Theory]
    [InlineData(256, 50, 320)]
    [InlineData(256, 320, 50)]
    [InlineData(320, 50, 256)]
    [InlineData(64, 512, 256)]
    [InlineData(64, 256, 512)]
    [InlineData(12800, 10, 25)]
    [InlineData(2048, 20, 250)]
    public void Skinny_training_shapes_match_oracle(int m, int n, int k)
    {
        int seed = m + n + k;
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var c = new GemmCase(ta, tb, m, n, k, 1f, seed % 2 == 0 ? 0f : 1f, pad: 1, seed: seed++);
            foreach (int threads in new[] { 1, 2 })
            {
                using var s = new GemmSettings(threads: threads);
                c.Verify(c.Run(), $"threads={threads} {c}");
            }
        }
    }

    [Theory]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    [InlineData("Portable")]
    public void Every_kernel_handles_a_problem_larger_than_its_blocks(string kernel)
    {
        using var s = new GemmSettings(Enum.Parse<GemmKernelKind>(kernel), SgemmPath.Packed, threads: 2);
        var c = new GemmCase(false, true, 203, 301, 530, -2f, 0.5f, pad: 2, seed: 11);
        c.Verify(c.Run(), $"{kernel} {c}");
    }

    [Fact]
    public void Zero_k_scales_C_and_beta_zero_clears_NaN()
    {
        float[] c = [float.NaN, 1f, float.NaN, 2f];
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, 0f, c, 2);
        Assert.Equal([0f, 0f, 0f, 0f], c);
        float[] d = [1f, 2f, 3f, 4f];
        Gemm.Sgemm(true, true, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 2, ReadOnlySpan<float>.Empty, 0, -2f, d, 2);
        Assert.Equal([-2f, -4f, -6f, -8f], d);
    }

    [Fact]
    public void Alpha_zero_does_not_read_A_or_B()
    {
        float[] a = [float.NaN, float.NaN], b = [float.NaN, float.NaN], c = [3f];
        Gemm.Sgemm(false, false, 1, 1, 2, 0f, a, 2, b, 1, 0.5f, c, 1);
        Assert.Equal(1.5f, c[0]);
    }

    [Fact]
    public void Empty_output_is_a_no_op()
    {
        float[] c = [7f];
        Gemm.Sgemm(false, false, 0, 3, 4, 1f, ReadOnlySpan<float>.Empty, 4, new float[12], 3, 0f, c, 3);
        Gemm.Sgemm(false, false, 1, 0, 4, 1f, new float[4], 4, ReadOnlySpan<float>.Empty, 0, 0f, c, 0);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void Small_hand_computed_product()
    {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]; with transA: [1 3; 2 4] · B = [26 30; 38 44]
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        Gemm.Sgemm(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([19f, 22f, 43f, 50f], c);
        Gemm.Sgemm(true, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([26f, 30f, 38f, 44f], c);
    }

    [Theory]
    [InlineData("Direct", false, false)]
    [InlineData("Direct", true, true)]
    [InlineData("Packed", false, true)]
    [InlineData("Packed", true, false)]
    public void Results_are_bit_identical_across_runs_and_thread_counts(string pathName, bool transA, bool transB)
    {
        var path = Enum.Parse<SgemmPath>(pathName);
        var c = new GemmCase(transA, transB, 301, 203, 777, 1f, 0.5f, pad: 1, seed: 5);
        float[] one, again, two, twoAgain;
        using (new GemmSettings(path: path, threads: 1)) { one = c.Run(); again = c.Run(); }
        using (new GemmSettings(path: path, threads: 2, minParallelWork: 0)) { two = c.Run(); twoAgain = c.Run(); }
        Assert.Equal(one, again);
        Assert.Equal(one, two);
        Assert.Equal(two, twoAgain);
    }

    [Fact]
    public void Concurrent_callers_get_the_same_results_as_a_lone_caller()
    {
        var cases = Enumerable.Range(0, 4).Select(i => new GemmCase(i % 2 == 0, i >= 2, 150, 130, 140, 1f, 0f, 0, i))
            .ToArray();
        float[][] expected = cases.Select(c => { using var s = new GemmSettings(threads: 1); return c.Run(); }).ToArray();
        Parallel.For(0, 16, i =>
        {
            using var s = new GemmSettings(threads: 2, minParallelWork: 0);
            for (int r = 0; r < 5; r++) Assert.Equal(expected[i % 4], cases[i % 4].Run());
        });
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        foreach (var (m, n, k) in new[] { (64, 48, 40), (300, 300, 300), (600, 700, 500) })
        {
            var c = new GemmCase(false, true, m, n, k, 1f, 0.5f, pad: 0, seed: 3);
            var cOut = (float[])c.C0.Clone();
            foreach (int threads in new[] { 1, 2 })
            {
                using var s = new GemmSettings(threads: threads, minParallelWork: 0);
                for (int warm = 0; warm < 3; warm++)
                    Gemm.Sgemm(false, true, m, n, k, 1f, c.A, c.Lda, c.B, c.Ldb, 0.5f, cOut, c.Ldc);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int r = 0; r < 5; r++)
                    Gemm.Sgemm(false, true, m, n, k, 1f, c.A, c.Lda, c.B, c.Ldb, 0.5f, cOut, c.Ldc);
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
    }
}
