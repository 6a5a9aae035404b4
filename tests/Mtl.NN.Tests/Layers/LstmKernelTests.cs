// The fused LSTM's per-row kernels: SIMD gate gradients vs the scalar reference, and float64 gradients of the row-block split.
using Mtl.Threading;

namespace Mtl.NN.Tests;

[Collection("RecurrentThreads")]
public class LstmKernelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(300)]
    public void Gate_gradients_match_the_scalar_reference_bit_for_bit(int hidden)
    {
        Check<float>(hidden, v => (float)v);
        Check<double>(hidden, v => v);
    }

    private static void Check<T>(int hidden, Func<double, T> cast) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var g = new Generator((ulong)hidden + 11);
        T[] Rand(int n, bool unit) => Enumerable.Range(0, n).Select(_ => cast(unit ? g.NextDouble() : 2 * g.NextDouble() - 1)).ToArray();
        T[] gates = Rand(4 * hidden, true), tanhC = Rand(hidden, false), cPrev = Rand(hidden, false), gy = Rand(hidden, false);
        T[] dh0 = Rand(hidden, false), dc0 = Rand(hidden, false);
        T[] dhA = [.. dh0], dcA = [.. dc0], dgA = new T[4 * hidden];
        T[] dhB = [.. dh0], dcB = [.. dc0], dgB = new T[4 * hidden];
        LstmGateGrad.Reference<T>(gates, tanhC, cPrev, gy, dhA, dcA, dgA);
        LstmGateGrad.GateGradients<T>(gates, tanhC, cPrev, gy, dhB, dcB, dgB);
        Assert.Equal(dgA, dgB);
        Assert.Equal(dcA, dcB);
        Assert.Equal(dhA, dhB);
        Assert.All(dhB, v => Assert.Equal(T.Zero, v));
        if (hidden > 0) Assert.NotEqual(dc0, dcB); // the kernel did write something
    }

    [Fact]
    public void Reference_gate_gradients_follow_the_lstm_cell_derivatives()
    {
        // hidden 1, hand-computed: i = 0.5, f = 0.25, g = 0.5, o = 0.75, tanh(c) = 0.5, c_prev = 2, gy = 1, dh = 0, dc = 0
        double[] gates = [0.5, 0.25, 0.5, 0.75];
        double[] dh = [0], dc = [0], dg = new double[4];
        LstmGateGrad.Reference<double>(gates, [0.5], [2.0], [1.0], dh, dc, dg);
        double dcj = 0.75 * (1 - 0.25);                  // dh·o·(1 − th²) = 0.5625
        Assert.Equal(dcj * 0.5 * 0.5 * 0.5, dg[0], 12);   // dc·g·i·(1 − i)
        Assert.Equal(dcj * 2 * 0.25 * 0.75, dg[1], 12);   // dc·c_prev·f·(1 − f)
        Assert.Equal(dcj * 0.5 * (1 - 0.25), dg[2], 12);  // dc·i·(1 − g²)
        Assert.Equal(0.5 * 0.75 * 0.25, dg[3], 12);       // dh·th·o·(1 − o)
        Assert.Equal(dcj * 0.25, dc[0], 12);              // carried dc·f
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void Fused_sequence_gradients_match_finite_differences_across_row_blocks(int threads, bool reverse)
    {
        // hidden 9 crosses the float64 vector width (4) with a tail; batch 5 with a tiny row grain splits into row blocks.
        const int T = 3, B = 5, H = 9;
        var g = new Generator(21);
        var xproj = Tensor.RandN([B, T, 4 * H], g, 0, 0.8, DType.Float64).Transpose(0, 1); // (T, B, 4H), strided
        var whh = Tensor.RandN([4 * H, H], g, 0, 0.4, DType.Float64);
        var h0 = Tensor.RandN([B, H], g, 0, 0.5, DType.Float64);
        var c0 = Tensor.RandN([B, H], g, 0, 0.5, DType.Float64);
        int[] lengths = [3, 1, 0, 2, 3];
        int saved = MtlThreads.Count, grain = RecurrentKernels.RowGrain;
        try
        {
            MtlThreads.Count = threads;
            RecurrentKernels.RowGrain = 2 * H;
            var r = GradCheck.Run(l => LstmSequence.Run(l[0], l[1], l[2], l[3], lengths, reverse).Reshape(-1), [xproj, whh, h0, c0]);
            Assert.True(r.Passed, $"threads {threads}: {r.Detail} (max rel {r.MaxRelError:G3})");
        }
        finally
        {
            MtlThreads.Count = saved;
            RecurrentKernels.RowGrain = grain;
        }
    }
}
