// Same seed and same thread count must give bit-identical results, for forward values and gradients alike.
using Mtl.Threading;

namespace Mtl.Tests.Engine;

[Collection(GlobalSettingsCollection.Name)]
public class DeterminismTests
{
    /// <summary>A small training-like computation touching GEMM, broadcasting, reductions, indexing and dropout.</summary>
    private static float[] Run(int threads, ulong seed)
    {
        int saved = MtlThreads.Count;
        MtlThreads.Count = threads;
        try
        {
            var g = new Generator(seed);
            var x = Tensor.RandN([96, 130], g);
            var w1 = Tensor.RandN([130, 257], g, std: 0.1).RequireGrad();
            var w2 = Tensor.RandN([257, 33], g, std: 0.1).RequireGrad();
            var emb = Tensor.RandN([50, 130], g).RequireGrad();
            var ids = Tensor.From(Enumerable.Range(0, 96).Select(i => (i * 7) % 50).ToArray());
            var h = x.Add(IndexOps.Embedding(ids, emb)).MatMul(w1).Relu().Dropout(0.3, training: true, g);
            var y = h.MatMul(w2).Tanh();
            var loss = y.Square().Mean([1]).Sum().Add(y.Max(0).Sum());
            loss.Backward();
            return [.. y.ToArray<float>(), .. w1.Grad!.ToArray<float>(), .. w2.Grad!.ToArray<float>(), .. emb.Grad!.ToArray<float>()];
        }
        finally
        {
            MtlThreads.Count = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Same_seed_and_thread_count_is_bit_identical(int threads)
    {
        var a = Run(threads, 11);
        var b = Run(threads, 11);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"element {i}: {a[i]:R} vs {b[i]:R}");
        Assert.NotEqual(a, Run(threads, 12));
    }
}
