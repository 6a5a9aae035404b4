// The fused cross-entropy is bit-identical across thread counts; changes the global MtlThreads.Count, so runs alone.
using Mtl.Threading;

namespace Mtl.NN.Tests.LossTests;

[CollectionDefinition(nameof(CrossEntropyThreadCountTests), DisableParallelization = true)]
public sealed class CrossEntropyThreadCountCollection;

[Collection(nameof(CrossEntropyThreadCountTests))]
public class CrossEntropyThreadCountTests
{
    [Fact]
    public void Loss_and_gradient_are_identical_across_thread_counts()
    {
        var x = Tensor.RandN([2000, 100], new Generator(3), std: 2);
        var t = LossTestUtil.Labels(4, 100, [2000], ignoreEvery: 7);
        var w = Tensor.Rand([100], new Generator(5), 0.5, 2);
        (float[] Loss, float[] Grad) Run(int threads)
        {
            MtlThreads.Count = threads;
            var xi = x.Clone().RequireGrad();
            var l = Losses.CrossEntropy(xi, t, w, labelSmoothing: 0.1);
            l.Backward();
            return (l.ToArray<float>(), xi.Grad!.ToArray<float>());
        }
        int saved = MtlThreads.Count;
        try
        {
            var one = Run(1);
            var four = Run(4);
            Assert.Equal(one.Loss, four.Loss);
            Assert.Equal(one.Grad, four.Grad);
        }
        finally { MtlThreads.Count = saved; }
    }
}
