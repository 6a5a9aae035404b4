// float64 GEMM against the reference: sizes, transposes, alpha/beta, padding, NaN in C with beta = 0.
using Mtl.Kernels;

namespace Mtl.Tests.Kernels;

[Collection(GlobalSettingsCollection.Name)]
public class DgemmTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Matches_reference(bool transA, bool transB)
    {
        int[] sizes = [0, 1, 3, 8, 17, 64, 129, 300];
        (double, double)[] scalars = [(1, 0), (0.5, 1), (-2, 0.5), (1, -2)];
        int idx = 0;
        foreach (int m in sizes)
            foreach (int n in sizes)
            {
                int k = sizes[(idx * 3 + 1) % sizes.Length];
                var (alpha, beta) = scalars[idx % scalars.Length];
                var rng = new Random(idx++);
                int lda = (transA ? m : k) + idx % 3, ldb = (transB ? k : n) + 1, ldc = n + idx % 2;
                double[] a = Fill(rng, (transA ? k : m) * lda), b = Fill(rng, (transB ? n : k) * ldb);
                double[] c = Fill(rng, m * ldc);
                if (beta == 0) Array.Fill(c, double.NaN);
                double[] expected = (double[])c.Clone(), actual = (double[])c.Clone();
                GemmReference.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
                Gemm.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double e = expected[i * ldc + j], x = actual[i * ldc + j];
                        Assert.True(Math.Abs(e - x) <= 1e-13 * (k + 1) * (1 + Math.Abs(e)),
                            $"m={m} n={n} k={k} C[{i},{j}] = {x}, reference {e}");
                    }
            }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Thread_count_does_not_change_results(bool transA, bool transB)
    {
        const int m = 301, n = 203, k = 150;
        var rng = new Random(9);
        double[] a = Fill(rng, m * k), b = Fill(rng, k * n), c0 = Fill(rng, m * n);
        double[] one = (double[])c0.Clone(), two = (double[])c0.Clone(), expected = (double[])c0.Clone();
        int lda = transA ? m : k, ldb = transB ? k : n;
        using (new GemmSettings(threads: 1)) Gemm.Dgemm(transA, transB, m, n, k, 0.5, a, lda, b, ldb, -1, one, n);
        using (new GemmSettings(threads: 2, minParallelWork: 0))
            Gemm.Dgemm(transA, transB, m, n, k, 0.5, a, lda, b, ldb, -1, two, n);
        GemmReference.Gemm(transA, transB, m, n, k, 0.5, a, lda, b, ldb, -1.0, expected, n);
        Assert.Equal(one, two);
        for (int i = 0; i < one.Length; i++) Assert.True(Math.Abs(one[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])));
    }

    private static double[] Fill(Random rng, int count)
    {
        var x = new double[Math.Max(0, count)];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() * 2 - 1;
        return x;
    }
}
