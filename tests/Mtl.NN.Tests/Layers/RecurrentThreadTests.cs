// The fused recurrences split rows across threads: results must not depend on the thread count.
using Mtl.Threading;

namespace Mtl.NN.Tests;

[CollectionDefinition("RecurrentThreads", DisableParallelization = true)]
public sealed class RecurrentThreadsCollection;

[Collection("RecurrentThreads")]
public class RecurrentThreadTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fused_kernels_are_bit_identical_across_thread_counts_and_match_the_composed_path(bool lstm)
    {
        // a small row grain splits batch 16 × hidden 8 into row chunks, one per thread
        RecurrentBase Make() => lstm ? new LSTM(4, 8, batchFirst: true, generator: new Generator(1)) : new GRU(4, 8, batchFirst: true, generator: new Generator(1));
        var x = Tensor.RandN([16, 3, 4], new Generator(2));
        var lengths = Enumerable.Range(0, 16).Select(b => b % 4).ToArray();
        var runs = new List<float[][]>();
        int saved = MtlThreads.Count, grain = RecurrentKernels.RowGrain;
        try
        {
            RecurrentKernels.RowGrain = 32;
            foreach (var (threads, fused) in new[] { (1, true), (2, true), (1, false) })
            {
                MtlThreads.Count = threads;
                var m = Make();
                m.UseFusedKernel = fused;
                var xi = x.Detach().Clone().RequireGrad();
                var r = lstm ? ((LSTM)m).Forward(xi, lengths: lengths) : ((GRU)m).Forward(xi, lengths: lengths);
                r.Output.Square().Sum().Add(r.HiddenState.Sum()).Backward();
                runs.Add([r.Output.ToFloatArray(), r.HiddenState.ToFloatArray(), xi.Grad!.ToFloatArray(), .. m.Parameters().Select(p => p.Grad!.ToFloatArray())]);
            }
        }
        finally
        {
            MtlThreads.Count = saved;
            RecurrentKernels.RowGrain = grain;
        }
        for (int i = 0; i < runs[0].Length; i++)
        {
            Assert.Equal(runs[0][i], runs[1][i]);
            TorchCase.AssertClose(Tensor.From(runs[2][i]), Tensor.From(runs[0][i]), $"fused vs composed, tensor {i}", 1e-5, 1e-6);
        }
    }
}
