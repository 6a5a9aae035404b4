// MultiheadAttention and TransformerEncoderLayer against PyTorch 1.13 fixtures: outputs, weights and every gradient.
namespace Mtl.NN.Tests;

public class AttentionParityTests
{
    // float32 on both sides; softmax, layer norm and a few small GEMMs differ from PyTorch's by a few ulps.
    private const double Rtol = 1e-5, Atol = 1e-6;

    [Theory]
    [InlineData("mha_cross_padding")]
    [InlineData("mha_self_batch_first_masks")]
    public void MultiheadAttention_matches_pytorch(string name)
    {
        var fx = TorchCase.Load(name);
        var m = new MultiheadAttention(fx.Int("embed_dim"), fx.Int("num_heads"), batchFirst: fx.Bool("batch_first"));
        m.LoadStateDict(fx.Params());
        Assert.Equal(fx.Names("params"), m.StateDict().Keys);
        var inputs = fx.Names("inputs").ToDictionary(n => n, n => fx.Get("inputs", n).RequireGrad());
        var q = inputs["query"];
        var (k, v) = fx.Bool("self_attention") ? (q, q) : (inputs["key"], inputs["value"]);
        var r = m.Forward(q, k, v, fx.PaddingMask(), needWeights: true, attnMask: fx.TopTensor("attn_mask"));

        var outputs = new Dictionary<string, Tensor> { ["output"] = r.Output, ["weights"] = r.Weights! };
        foreach (var (key, t) in outputs) TorchCase.AssertClose(fx.Get("outputs", key), t, key, Rtol, Atol);
        fx.Loss(outputs).Backward();
        foreach (var (key, t) in inputs) TorchCase.AssertClose(fx.Get("grads", key), t.Grad, "d/d" + key, Rtol, Atol);
        foreach (var (key, p) in m.NamedParameters()) TorchCase.AssertClose(fx.Get("grads", key), p.Grad, "d/d" + key, Rtol, Atol);
    }

    [Theory]
    [InlineData("encoder_post_norm_relu")]
    [InlineData("encoder_pre_norm_gelu")]
    public void TransformerEncoderLayer_matches_pytorch_in_eval_mode(string name)
    {
        var fx = TorchCase.Load(name);
        var m = new TransformerEncoderLayer(fx.Int("d_model"), fx.Int("nhead"), fx.Int("dim_feedforward"), dropout: 0.1,
            activation: fx.Str("activation") == "gelu" ? TransformerActivation.Gelu : TransformerActivation.Relu,
            batchFirst: fx.Bool("batch_first"), normFirst: fx.Bool("norm_first"));
        m.LoadStateDict(fx.Params());
        Assert.Equal(fx.Names("params"), m.StateDict().Keys);
        m.Eval();
        var src = fx.Get("inputs", "src").RequireGrad();
        var output = m.Forward(src, fx.PaddingMask());

        var outputs = new Dictionary<string, Tensor> { ["output"] = output };
        TorchCase.AssertClose(fx.Get("outputs", "output"), output, "output", Rtol, Atol);
        fx.Loss(outputs).Backward();
        TorchCase.AssertClose(fx.Get("grads", "src"), src.Grad, "d/dsrc", Rtol, Atol);
        foreach (var (key, p) in m.NamedParameters()) TorchCase.AssertClose(fx.Get("grads", key), p.Grad, "d/d" + key, Rtol, Atol);
    }

    [Fact]
    public void Encoder_children_have_pytorch_names()
    {
        var m = new TransformerEncoderLayer(8, 2, 16);
        Assert.Equal(["", "self_attn", "self_attn.out_proj", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"],
            m.NamedModules().Select(x => x.Name));
    }
}
