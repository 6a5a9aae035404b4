// Determinism across thread counts for index-add, embedding backward and dropout; these tests change the global
// MtlThreads.Count, so they run alone (never beside tests that read it).
using Mtl.Kernels;
using Mtl.Threading;
using static Mtl.Tests.Ops.IndexTests;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

[Collection(GlobalSettingsCollection.Name)]
public class IndexThreadCountTests
{
    [Fact]
    public void IndexAdd_is_identical_across_thread_counts()
    {
        // Large enough for the column-parallel path; many repeats so the accumulation order matters in float32.
        var g = new Generator(5);
        var x = Tensor.RandN([40, 256], g);
        var src = Tensor.RandN([3000, 256], g);
        var idx = RandIdx(6, 40, 3000);
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = 1;
            var one = x.IndexAdd(0, idx, src).ToArray<float>();
            MtlThreads.Count = 4;
            var four = x.IndexAdd(0, idx, src).ToArray<float>();
            Assert.Equal(one, four);
            var expected = IndexReference.IndexAdd(x.ToDoubleArray(), [40, 256], 0, idx.ToArray<int>(), src.ToDoubleArray());
            Close(expected, four.Select(v => (double)v).ToArray(), 1e-4);
        }
        finally { MtlThreads.Count = saved; }
    }

    [Fact]
    public void Embedding_backward_is_identical_across_thread_counts()
    {
        var weight = Tensor.RandN([50, 256], new Generator(10)).RequireGrad();
        var indices = RandIdx(11, 50, 8, 100);
        var g = Tensor.RandN([8, 100, 256], new Generator(12));
        int saved = MtlThreads.Count;
        try
        {
            float[] Run(int threads)
            {
                MtlThreads.Count = threads;
                weight.Grad = null;
                IndexOps.Embedding(indices, weight).Backward(g);
                return weight.Grad!.ToArray<float>();
            }
            Assert.Equal(Run(1), Run(3));
        }
        finally { MtlThreads.Count = saved; }
    }

    [Fact]
    public void Same_seed_gives_same_mask_whatever_the_thread_count_and_dtype()
    {
        var x = Tensor.Ones([301, 77]);
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = 1;
            var a = x.Dropout(0.4, true, new Generator(9)).ToArray<float>();
            MtlThreads.Count = 4;
            var b = x.Dropout(0.4, true, new Generator(9)).ToArray<float>();
            Assert.Equal(a, b);
            var d = Tensor.Ones([301, 77], DType.Float64).Dropout(0.4, true, new Generator(9)).ToArray<double>();
            Assert.Equal(a.Select(v => v != 0), d.Select(v => v != 0));
            var other = x.Dropout(0.4, true, new Generator(10)).ToArray<float>();
            Assert.NotEqual(a, other);
        }
        finally { MtlThreads.Count = saved; }
    }
}
