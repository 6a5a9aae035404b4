// LSTM/GRU behaviour: float64 gradient checks, fused vs composed, padding invariance, dropout, init bounds, bad inputs.
namespace Mtl.NN.Tests;

public class RecurrentBehaviourTests
{
    /// <summary>Random float64 weights for every layer and direction, flattened in PyTorch's parameter order.</summary>
    private static Tensor[] RandomWeights(RnnSettings s, ulong seed, bool bias = true)
    {
        var g = new Generator(seed);
        var list = new List<Tensor>();
        int gh = s.Gates * s.HiddenSize;
        for (int layer = 0; layer < s.NumLayers; layer++)
            for (int d = 0; d < s.Directions; d++)
            {
                list.Add(Tensor.RandN([gh, s.LayerInputSize(layer)], g, 0, 0.6, DType.Float64));
                list.Add(Tensor.RandN([gh, s.HiddenSize], g, 0, 0.6, DType.Float64));
                if (bias)
                {
                    list.Add(Tensor.RandN([gh], g, 0, 0.6, DType.Float64));
                    list.Add(Tensor.RandN([gh], g, 0, 0.6, DType.Float64));
                }
            }
        return [.. list];
    }

    private static RnnWeights[] Group(Tensor[] flat, bool bias)
    {
        int per = bias ? 4 : 2;
        return Enumerable.Range(0, flat.Length / per)
            .Select(k => new RnnWeights(flat[k * per], flat[k * per + 1], bias ? flat[k * per + 2] : null, bias ? flat[k * per + 3] : null))
            .ToArray();
    }

    /// <summary>Output, h_n (and c_n) flattened into one vector, so one gradient check covers all of them.</summary>
    private static Tensor Flat(RnnOutput r) =>
        JoinOps.Concat(r.CellState is null ? [r.Output.Reshape(-1), r.HiddenState.Reshape(-1)]
            : [r.Output.Reshape(-1), r.HiddenState.Reshape(-1), r.CellState.Reshape(-1)], 0);

    private static RnnSettings Settings(RnnKind kind, int layers) => new(kind, kind.ToString().ToUpperInvariant(), 2, 3, layers, true, true);

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Gradients_match_finite_differences_with_lengths(bool lstmKind, bool fused)
    {
        var kind = lstmKind ? RnnKind.Lstm : RnnKind.Gru;
        // Two bidirectional batch-first layers for the fused kernels; one for the (slow to check) per-step op chain.
        var s = Settings(kind, fused ? 2 : 1);
        var weights = RandomWeights(s, 3);
        var x = Tensor.RandN([3, 4, 2], new Generator(4), dtype: DType.Float64);       // (B, T, in)
        var h0 = Tensor.RandN([2 * s.NumLayers, 3, 3], new Generator(5), dtype: DType.Float64);
        var c0 = Tensor.RandN([2 * s.NumLayers, 3, 3], new Generator(6), dtype: DType.Float64);
        int[] lengths = [4, 1, 3];
        bool lstm = kind == RnnKind.Lstm;
        Tensor[] inputs = lstm ? [x, h0, c0, .. weights] : [x, h0, .. weights];
        int skip = lstm ? 3 : 2;
        var r = GradCheck.Run(l => Flat(RnnCore.Run(s, l[0], Group(l[skip..], true), l[1], lstm ? l[2] : null, lengths, 0, new Generator(0), fused)), inputs);
        Assert.True(r.Passed, $"{kind} fused={fused}: {r.Detail} (max rel {r.MaxRelError:G3})");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_without_bias_or_lengths_on_a_strided_input(bool lstm)
    {
        var kind = lstm ? RnnKind.Lstm : RnnKind.Gru;
        var s = new RnnSettings(kind, "RNN", 3, 2, 1, false, false);
        var weights = RandomWeights(s, 8, bias: false);
        var x = Tensor.RandN([3, 6, 4], new Generator(9), dtype: DType.Float64).Permute(2, 0, 1).Slice(2, 0, 6, 2); // (T=4, B=3, in=3), strided
        Assert.False(x.IsContiguous);
        var r = GradCheck.Run(l => Flat(RnnCore.Run(s, l[0], Group(l[1..], false), null, null, null, 0, new Generator(0), true)), [x, .. weights]);
        Assert.True(r.Passed, r.Detail);
    }

    [Theory]
    [InlineData(true, new[] { 9, 0, 4, 1, 7 })]
    [InlineData(false, new[] { 9, 0, 4, 1, 7 })]
    [InlineData(true, new[] { 9, 7, 4, 1, 0 })] // already sorted: the kernels skip the row permutation
    [InlineData(false, new[] { 9, 9, 9, 9, 9 })] // all full: no masking at all
    public void Fused_and_composed_agree_on_odd_sizes_with_empty_and_full_sequences(bool lstm, int[] lengths)
    {
        // hidden 17 and batch 5 hit the vector tails; a length of 0 keeps the initial state.
        var kind = lstm ? RnnKind.Lstm : RnnKind.Gru;
        var s = new RnnSettings(kind, "RNN", 6, 17, 2, false, true);
        var weights = RandomWeights(s, 11);
        var x = Tensor.RandN([9, 5, 6], new Generator(12), dtype: DType.Float64);
        var h0 = Tensor.RandN([4, 5, 17], new Generator(13), dtype: DType.Float64);
        var c0 = lstm ? Tensor.RandN([4, 5, 17], new Generator(14), dtype: DType.Float64) : null;
        var results = new List<(double[] Value, double[][] Grads)>();
        foreach (bool fused in new[] { true, false })
        {
            var leaves = new[] { x, h0 }.Concat(weights).Select(t => t.Detach().Clone().RequireGrad()).ToArray();
            var flat = Flat(RnnCore.Run(s, leaves[0], Group(leaves[2..], true), leaves[1], c0, lengths, 0, new Generator(0), fused));
            var proj = Tensor.RandN(flat.Shape, new Generator(15), dtype: DType.Float64);
            var grads = Autograd.Grad([flat.Mul(proj).Sum()], leaves);
            results.Add((flat.ToDoubleArray(), grads.Select(g => g!.Contiguous().ToDoubleArray()).ToArray()));
        }
        Assert.Equal(results[0].Value, results[1].Value, (a, b) => Math.Abs(a - b) <= 1e-12);
        for (int i = 0; i < results[0].Grads.Length; i++)
            Assert.Equal(results[0].Grads[i], results[1].Grads[i], (a, b) => Math.Abs(a - b) <= 1e-11 * Math.Max(1, Math.Abs(a)));
        // a sample of length 0 ends in its initial state and outputs zeros
        var r = RnnCore.Run(s, x, Group(weights, true), h0, c0, lengths, 0, new Generator(0), true);
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] != 0) continue;
            Assert.Equal(h0.Select(1, b).ToDoubleArray(), r.HiddenState.Select(1, b).ToDoubleArray());
            Assert.All(r.Output.Select(1, b).ToDoubleArray(), v => Assert.Equal(0.0, v));
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Padded_input_values_change_neither_outputs_nor_final_states(bool lstm, bool fused)
    {
        Init.ManualSeed(21);
        RecurrentBase m = lstm ? new LSTM(3, 5, 2, batchFirst: true, bidirectional: true) : new GRU(3, 5, 2, batchFirst: true, bidirectional: true);
        m.UseFusedKernel = fused;
        int[] lengths = [2, 6, 4];
        var a = Tensor.RandN([3, 6, 3], new Generator(22));
        var noise = Tensor.RandN([3, 6, 3], new Generator(23)).MulScalar(1000);
        var keep = RnnCore.StepMask(lengths, 6, 3, DType.Float32).Permute(1, 0, 2);     // (B, T, 1)
        var b = a.Mul(keep).Add(noise.Mul(keep.RSubScalar(1)));                        // same valid steps, wild padding
        Assert.NotEqual(a.ToFloatArray(), b.ToFloatArray());
        RnnOutput Run(Tensor x) => lstm ? ((LSTM)m).Forward(x, lengths: lengths) : ((GRU)m).Forward(x, lengths: Tensor.From(lengths));
        var (ra, rb) = (Run(a), Run(b.Detach().RequireGrad()));
        Assert.Equal(ra.Output.ToFloatArray(), rb.Output.ToFloatArray());
        Assert.Equal(ra.HiddenState.ToFloatArray(), rb.HiddenState.ToFloatArray());
        if (lstm) Assert.Equal(ra.CellState!.ToFloatArray(), rb.CellState!.ToFloatArray());
    }

    [Fact]
    public void No_gradient_reaches_padded_input_steps()
    {
        var m = new LSTM(3, 4, 2, batchFirst: true, bidirectional: true, generator: new Generator(30));
        var x = Tensor.RandN([2, 5, 3], new Generator(31)).RequireGrad();
        var r = m.Forward(x, lengths: new[] { 5, 2 });
        r.Output.Sum().Add(r.HiddenState.Sum()).Add(r.CellState!.Sum()).Backward();
        Assert.All(x.Grad!.Select(0, 1).Slice(0, 2, 5).ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.Contains(x.Grad!.Select(0, 1).Slice(0, 0, 2).ToFloatArray(), v => v != 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Empty_sequences_and_empty_batches_give_empty_outputs_and_initial_states(bool fused)
    {
        var m = new LSTM(3, 4, 2, bidirectional: true) { UseFusedKernel = fused };
        var h0 = Tensor.RandN([4, 2, 4], new Generator(70));
        var r = m.Forward(Tensor.Zeros([0, 2, 3]), h0, lengths: new[] { 0, 0 });
        Assert.Equal([0, 2, 8], r.Output.ShapeArray);
        Assert.Equal(h0.Select(0, 0).ToFloatArray(), r.HiddenState.Select(0, 0).ToFloatArray());
        Assert.All(r.CellState!.ToFloatArray(), v => Assert.Equal(0f, v));
        var g = new GRU(3, 4) { UseFusedKernel = fused }.Forward(Tensor.Zeros([3, 0, 3]));
        Assert.Equal([3, 0, 4], g.Output.ShapeArray);
        Assert.Equal([1, 0, 4], g.HiddenState.ShapeArray);
    }

    [Fact]
    public void Last_layer_hidden_joins_the_top_layers_directions()
    {
        var m = new GRU(3, 4, 2, batchFirst: true, bidirectional: true, generator: new Generator(71));
        var r = m.Forward(Tensor.RandN([2, 5, 3], new Generator(72)), lengths: new[] { 5, 3 });
        var last = r.LastLayerHidden;                                                // (B, 2H)
        Assert.Equal([2, 8], last.ShapeArray);
        Assert.Equal(r.HiddenState.Select(0, 2).Select(0, 1).ToFloatArray(), last.Select(0, 1).Slice(0, 0, 4).ToFloatArray());
        Assert.Equal(r.HiddenState.Select(0, 3).Select(0, 1).ToFloatArray(), last.Select(0, 1).Slice(0, 4, 8).ToFloatArray());
        // the reverse direction's final state is its output at step 0
        Assert.Equal(r.Output.Select(0, 1).Select(0, 0).Slice(0, 4, 8).ToFloatArray(), last.Select(0, 1).Slice(0, 4, 8).ToFloatArray());
        Assert.Equal([3, 4], new LSTM(2, 4).Forward(Tensor.Zeros([5, 3, 2])).LastLayerHidden.ShapeArray);
    }

    [Fact]
    public void Dropout_acts_between_layers_in_training_only_and_follows_the_generator()
    {
        var x = Tensor.RandN([4, 2, 3], new Generator(40));
        LSTM Make(ulong seed) => new(3, 6, 2, dropout: 0.5, generator: new Generator(seed));
        var a = Make(1).Forward(x).Output.ToFloatArray();
        var b = Make(1).Forward(x).Output.ToFloatArray();
        Assert.Equal(a, b);                                     // same generator seed, same masks
        var m = Make(1);
        m.Eval();
        var eval = m.Forward(x).Output.ToFloatArray();
        var noDropout = new LSTM(3, 6, 2, generator: new Generator(1)).Forward(x).Output.ToFloatArray();
        Assert.Equal(noDropout, eval);                          // eval mode: identity
        Assert.NotEqual(eval, a);
    }

    [Fact]
    public void Double_backward_needs_the_composed_path()
    {
        var m = new GRU(2, 3, generator: new Generator(50));
        var x = Tensor.RandN([3, 1, 2], new Generator(51)).RequireGrad();
        var e = Assert.Throws<NotSupportedException>(() => Autograd.Grad([m.Forward(x).Output.Square().Sum()], [x], createGraph: true));
        Assert.Contains("gru_sequence", e.Message);
        m.UseFusedKernel = false;
        var gc = Autograd.Grad([m.Forward(x).Output.Square().Sum()], [x], retainGraph: true, createGraph: true)[0]!;
        gc.Sum().Backward();                                    // second order through the per-step ops
        Assert.NotNull(x.Grad);
    }

    [Fact]
    public void Parameters_have_pytorch_names_shapes_and_uniform_init()
    {
        var m = new LSTM(5, 16, 2, bidirectional: true, generator: new Generator(60));
        var names = m.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(16, names.Length);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"], names[..5]);
        Assert.Equal([64, 32], m.StateDict()["weight_ih_l1_reverse"].ShapeArray);
        double bound = 1 / Math.Sqrt(16);
        var all = m.Parameters().SelectMany(p => p.ToFloatArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));
        Assert.True(all.Max() > 0.95 * bound && all.Min() < -0.95 * bound);
        Assert.InRange(all.Average(), -0.01, 0.01);
        var gru = new GRU(4, 8, bias: false, generator: new Generator(61));
        Assert.Equal(["weight_ih_l0", "weight_hh_l0"], gru.NamedParameters().Select(p => p.Name));
        Assert.Equal([24, 4], gru.StateDict()["weight_ih_l0"].ShapeArray);
        Assert.All(gru.Parameters().SelectMany(p => p.ToFloatArray()), v => Assert.InRange(v, -1 / Math.Sqrt(8), 1 / Math.Sqrt(8)));
        Assert.Equal("LSTM(5, 16, num_layers=2, bidirectional=True)", m.ToString().Split("  #")[0]);
    }

    [Fact]
    public void Bad_inputs_name_the_layer_and_shapes()
    {
        var m = new LSTM(3, 4, 2, batchFirst: true);
        var x = Tensor.Zeros([2, 5, 3]);
        var e = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros([5, 3])));
        Assert.Contains("LSTM(3→4)", e.Message);
        Assert.Contains("(5, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros([2, 5, 4])));
        Assert.Contains("(2, 5, 4) has 4 features, expected 3", e.Message);
        var oor = Assert.Throws<ArgumentOutOfRangeException>(() => m.Forward(x, lengths: new[] { 5, 6 }));
        Assert.Contains("length 6 of sample 1", oor.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Forward(x, lengths: new[] { -1, 2 }));
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, lengths: new[] { 5, 2, 1 }));
        Assert.Contains("3 sequence lengths given for a batch of 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, lengths: Tensor.From(new float[] { 5, 2 })));
        Assert.Contains("Int32", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, h0: Tensor.Zeros([1, 2, 4])));
        Assert.Contains("h0 (1, 2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros([2, 5, 3], DType.Float64)));
        Assert.Contains("Float64", e.Message);
        Assert.Throws<ArgumentException>(() => new GRU(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(3, 4, dropout: 1.5));
    }
}
