// MultiheadAttention/TransformerEncoderLayer behaviour: float64 gradient checks with masks, fully masked rows, mask forms, init, errors.
namespace Mtl.NN.Tests;

public class AttentionBehaviourTests
{
    private static Tensor RandD(ulong seed, params int[] shape) => Tensor.RandN(shape, new Generator(seed), dtype: DType.Float64);

    /// <summary>Output and head-averaged weights in one vector, so one gradient check covers both.</summary>
    private static Tensor Flat(AttentionOutput r) => JoinOps.Concat([r.Output.Reshape(-1), r.Weights!.Reshape(-1)], 0);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Gradients_match_finite_differences_with_masks(bool selfAttention, bool batchFirst)
    {
        const int e = 6, heads = 2, batch = 2, len = 3, keys = 4;
        int s = selfAttention ? len : keys;
        var q = batchFirst ? RandD(1, batch, len, e) : RandD(1, len, batch, e);
        var k = batchFirst ? RandD(2, batch, s, e) : RandD(2, s, batch, e);
        var v = batchFirst ? RandD(3, batch, s, e) : RandD(3, s, batch, e);
        Tensor w = RandD(4, 3 * e, e).MulScalar(0.5), b = RandD(5, 3 * e), wo = RandD(6, e, e).MulScalar(0.5), bo = RandD(7, e);
        // sample 0 ignores its last key; query 1 may not see key 0 (additive −∞), the rest carry finite offsets, and in
        // the cross-attention case query 2 sees no key at all (a dead row: zero weights, constant output)
        var padBits = new int[batch * s];
        padBits[s - 1] = 1;
        var pad = Tensor.From(padBits, batch, s);
        var am = RandD(8, len, s);
        am.Select(0, 1).Slice(0, 0, 1).Fill(double.NegativeInfinity);
        if (!selfAttention) am.Select(0, 2).Fill(double.NegativeInfinity);
        Func<Tensor[], Tensor> f = selfAttention
            ? l => Flat(AttentionCore.Run("mha", l[0], l[0], l[0], heads, l[1], l[2], l[3], l[4], batchFirst, pad, true, true, am, 0, new Generator(0)))
            : l => Flat(AttentionCore.Run("mha", l[0], l[5], l[6], heads, l[1], l[2], l[3], l[4], batchFirst, pad, true, true, am, 0, new Generator(0)));
        Tensor[] inputs = selfAttention ? [q, w, b, wo, bo] : [q, w, b, wo, bo, k, v];
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.Passed, $"{r.Detail} (max rel {r.MaxRelError:G3})");
    }

    [Fact]
    public void Strided_inputs_and_per_head_weights_check_by_finite_differences()
    {
        var q = RandD(10, 4, 2, 3 * 4).Slice(2, 0, 12, 3);                      // (L=4, B=2, E=4), strided
        Assert.False(q.IsContiguous);
        Tensor w = RandD(11, 12, 4).MulScalar(0.5), wo = RandD(12, 4, 4).MulScalar(0.5);
        var r = GradCheck.Run(l => AttentionCore.Run("mha", l[0], l[0], l[0], 2, l[1], null, l[2], null, false, null, true, false, null, 0, new Generator(0)).Weights!,
            [q, w, wo]);
        Assert.True(r.Passed, r.Detail);
    }

    [Fact]
    public void A_fully_masked_query_attends_to_nothing_instead_of_NaN()
    {
        var m = new MultiheadAttention(4, 2, generator: new Generator(20));
        using (GradMode.NoGrad()) m.OutProj.Bias!.CopyFrom(new float[] { 1, 2, 3, 4 });
        var q = Tensor.RandN([3, 2, 4], new Generator(21)).RequireGrad();                // (L, B, E)
        var kv = Tensor.RandN([5, 2, 4], new Generator(22)).RequireGrad();               // (S, B, E)
        var pad = Tensor.From(new[] { 1, 1, 1, 1, 1, 0, 0, 1, 0, 0 }, 2, 5);             // sample 0: every key padded
        var r = m.Forward(q, kv, kv, pad);
        Assert.All(r.Output.ToFloatArray(), x => Assert.False(float.IsNaN(x)));
        for (int l = 0; l < 3; l++) Assert.Equal(new float[] { 1, 2, 3, 4 }, r.Output.Select(0, l).Select(0, 0).ToFloatArray());
        Assert.All(r.Weights!.Select(0, 0).ToFloatArray(), x => Assert.Equal(0f, x));
        var w1 = r.Weights!.Select(0, 1);
        Assert.Equal(0f, (float)w1[0, 2]);
        Assert.Equal(3.0, w1.Sum(1).ToDoubleArray().Sum(), 5);                          // sample 1 rows still sum to 1
        r.Output.Sum().Backward();
        Assert.All(kv.Grad!.Select(1, 0).ToFloatArray(), x => Assert.Equal(0f, x));   // nothing flows to sample 0's keys
        Assert.All(q.Grad!.ToFloatArray(), x => Assert.True(float.IsFinite(x)));
        // an attention mask can kill a row too (−∞ on every key of query 2)
        var am = Tensor.Zeros([3, 5]);
        am.Select(0, 2).Fill(double.NegativeInfinity);
        var r2 = m.Forward(q, kv, kv, attnMask: am);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, r2.Output.Select(0, 2).Select(0, 1).ToFloatArray());
    }

    [Fact]
    public void Mask_forms_agree_and_additive_float_padding_masks_are_rejected()
    {
        var m = new MultiheadAttention(6, 3, batchFirst: true, generator: new Generator(30));
        var x = Tensor.RandN([2, 4, 6], new Generator(31));
        int[] padBits = [0, 0, 1, 0, 0, 1, 1, 0];
        var asInt = m.Forward(x, x, x, Tensor.From(padBits, 2, 4)).Output.ToFloatArray();
        var asFloat = m.Forward(x, x, x, Tensor.From(padBits.Select(v => (float)v).ToArray(), 2, 4)).Output.ToFloatArray();
        Assert.Equal(asInt, asFloat);
        var unmasked = m.Forward(x, x, x).Output.ToFloatArray();
        Assert.NotEqual(unmasked, asInt);
        var e = Assert.Throws<ArgumentException>(() => m.Forward(x, x, x, Tensor.From(new float[] { 0, 0, float.NegativeInfinity, 0, 0, 0, 0, 0 }, 2, 4)));
        Assert.Contains("must hold 0 (attend) or 1 (ignore)", e.Message);
        // a boolean (Int32) attention mask equals the additive −∞ one
        int[] causal = [0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0];
        var additive = Tensor.From(causal.Select(v => v != 0 ? float.NegativeInfinity : 0f).ToArray(), 4, 4);
        Assert.Equal(m.Forward(x, x, x, attnMask: additive).Output.ToFloatArray(), m.Forward(x, x, x, attnMask: Tensor.From(causal, 4, 4)).Output.ToFloatArray());
        // a per-head (B·heads, L, S) mask equal on every head matches the 2-D one
        var perHead = additive.Unsqueeze(0).Expand(6, 4, 4).Contiguous();
        Assert.Equal(m.Forward(x, x, x, attnMask: additive).Output.ToFloatArray(), m.Forward(x, x, x, attnMask: perHead).Output.ToFloatArray());
    }

    [Fact]
    public void Batch_first_is_a_transpose_and_per_head_weights_average_to_the_default()
    {
        var a = new MultiheadAttention(4, 2, generator: new Generator(40));
        var b = new MultiheadAttention(4, 2, batchFirst: true, generator: new Generator(41));
        b.LoadStateDict(a.StateDict());
        var x = Tensor.RandN([3, 2, 4], new Generator(42));                                // (L, B, E)
        var ra = a.Forward(x, x, x);
        var rb = b.Forward(x.Transpose(0, 1), x.Transpose(0, 1), x.Transpose(0, 1));
        TorchCase.AssertClose(ra.Output.Transpose(0, 1).Contiguous(), rb.Output, "batch-first output", 1e-6, 1e-7);
        TorchCase.AssertClose(ra.Weights!, rb.Weights, "batch-first weights", 1e-6, 1e-7);
        var perHead = a.Forward(x, x, x, averageAttnWeights: false).Weights!;
        Assert.Equal([2, 2, 3, 3], perHead.ShapeArray);
        TorchCase.AssertClose(ra.Weights!, perHead.Mean(1), "mean over heads", 1e-6, 1e-7);
        Assert.Null(a.Forward(x, x, x, needWeights: false).Weights);
        Assert.Equal(ra.Output.ToFloatArray(), a.Forward(x).ToFloatArray());
    }

    [Fact]
    public void Attention_dropout_only_in_training()
    {
        var m = new MultiheadAttention(4, 1, dropout: 0.5, generator: new Generator(50));
        var x = Tensor.RandN([5, 1, 4], new Generator(51));
        var train = m.Forward(x).ToFloatArray();
        m.Eval();
        var eval1 = m.Forward(x).ToFloatArray();
        Assert.Equal(eval1, m.Forward(x).ToFloatArray());
        Assert.NotEqual(eval1, train);
        var enc = new TransformerEncoderLayer(4, 2, 8, dropout: 0.3, generator: new Generator(52));
        var y1 = enc.Forward(x).ToFloatArray();
        enc.Eval();
        var y2 = enc.Forward(x).ToFloatArray();
        Assert.NotEqual(y1, y2);
        Assert.Equal(y2, enc.Forward(x, null).ToFloatArray());
    }

    [Fact]
    public void Init_follows_pytorch_and_survives_reset()
    {
        var m = new MultiheadAttention(32, 4, generator: new Generator(60));
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], m.StateDict().Keys);
        double xavier = Math.Sqrt(6.0 / (32 + 96)), kaiming = 1 / Math.Sqrt(32);
        void Check()
        {
            var w = m.InProjWeight.ToFloatArray();
            Assert.All(w, v => Assert.InRange(v, -xavier, xavier));
            Assert.True(w.Max() > 0.95 * xavier && w.Min() < -0.95 * xavier);
            Assert.All(m.InProjBias!.ToFloatArray(), v => Assert.Equal(0f, v));
            Assert.All(m.OutProj.Bias!.ToFloatArray(), v => Assert.Equal(0f, v));
            var wo = m.OutProj.Weight.ToFloatArray();
            Assert.All(wo, v => Assert.InRange(v, -kaiming, kaiming));
            Assert.True(wo.Max() > 0.9 * kaiming);
        }
        Check();
        using (GradMode.NoGrad()) { m.InProjBias!.Fill(1); m.OutProj.Bias!.Fill(1); }
        m.ResetParameters(new Generator(61)); // children first, so the parent's zero out_proj.bias wins
        Check();
        var noBias = new MultiheadAttention(8, 2, bias: false);
        Assert.Equal(["in_proj_weight", "out_proj.weight"], noBias.StateDict().Keys);
    }

    [Fact]
    public void Bad_inputs_name_the_layer_and_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new MultiheadAttention(10, 3));
        Assert.Contains("embedDim 10 is not divisible by numHeads 3", e.Message);
        var m = new MultiheadAttention(4, 2);
        var x = Tensor.Zeros([3, 2, 4]);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, x, x, Tensor.Zeros([2, 4])));
        Assert.Contains("key padding mask (2, 4) must be (B, S) = (2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, x, x, attnMask: Tensor.Zeros([3, 2])));
        Assert.Contains("attention mask (3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros([3, 4])));
        Assert.Contains("query (3, 4) must be 3-D (L, B, E) with E = 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, Tensor.Zeros([5, 2, 4]), Tensor.Zeros([6, 2, 4])));
        Assert.Contains("key (5, 2, 4) and value (6, 2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(x, Tensor.Zeros([5, 3, 4]), Tensor.Zeros([5, 3, 4])));
        Assert.Contains("batch size", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros([3, 2, 5])));
        Assert.Contains("E = 4", e.Message);
        var enc = new TransformerEncoderLayer(4, 2, 8);
        e = Assert.Throws<ArgumentException>(() => enc.Forward(Tensor.Zeros([3, 2, 6])));
        Assert.Contains("TransformerEncoderLayer(d_model=4)", e.Message);
        Assert.Throws<ArgumentException>(() => new TransformerEncoderLayer(6, 4));
    }
}
