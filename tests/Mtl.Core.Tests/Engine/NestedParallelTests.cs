// Work started inside a chunk of MtlThreads.For stays on that thread: nested For is serial and GEMM skips its pool.
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.Tests.Engine;

[Collection(GlobalSettingsCollection.Name)]
public class NestedParallelTests
{
    [Fact]
    public void A_nested_for_runs_as_one_chunk_and_the_flag_is_cleared_afterwards()
    {
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = 2;
            Assert.False(MtlThreads.InParallelChunk);
            Assert.Equal(2, MtlThreads.ChunkCount(100, 1));
            var inner = new int[2];
            var flags = new bool[2];
            MtlThreads.For(2, 1, (c, s, e) =>
            {
                flags[c] = MtlThreads.InParallelChunk;
                inner[c] = MtlThreads.ChunkCount(100, 1);
                MtlThreads.For(10, 1, (cc, _, _) => Assert.Equal(0, cc)); // a single nested chunk
            });
            Assert.Equal([true, true], flags);
            Assert.Equal([1, 1], inner);
            Assert.False(MtlThreads.InParallelChunk);
            Assert.Equal(2, MtlThreads.ChunkCount(100, 1));
        }
        finally { MtlThreads.Count = saved; }
    }

    [Fact]
    public unsafe void Gemm_calls_inside_parallel_chunks_match_the_reference()
    {
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = 2;
            const int m = 96, n = 200, k = 64;
            var g = new Generator(5);
            float[] a = Enumerable.Range(0, 2 * m * k).Select(_ => (float)g.NextDouble() - 0.5f).ToArray();
            float[] b = Enumerable.Range(0, k * n).Select(_ => (float)g.NextDouble() - 0.5f).ToArray();
            var c = new float[2 * m * n];
            var pool = new bool[2];
            MtlThreads.For(2, 1, (chunk, _, _) =>
            {
                pool[chunk] = GemmPool.TryEnter();
                if (pool[chunk]) GemmPool.Exit();
                fixed (float* pa = a, pb = b, pc = c)
                    Gemm.Sgemm(false, false, m, n, k, 1f, pa + chunk * m * k, k, pb, n, 0f, pc + chunk * m * n, n);
            });
            Assert.Equal([false, false], pool);
            for (int i = 0; i < 2 * m; i += 7)
                for (int j = 0; j < n; j += 13)
                {
                    double expect = 0;
                    for (int p = 0; p < k; p++) expect += (double)a[i * k + p] * b[p * n + j];
                    Assert.True(Math.Abs(expect - c[i * n + j]) < 1e-4, $"C[{i},{j}] = {c[i * n + j]}, expected {expect}");
                }
        }
        finally { MtlThreads.Count = saved; }
    }
}
