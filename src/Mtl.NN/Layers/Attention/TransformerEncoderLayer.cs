// Transformer encoder layer (PyTorch's nn.TransformerEncoderLayer): self-attention and feed-forward blocks, post- or pre-norm.
namespace Mtl.NN;

/// <summary>Activation of the encoder layer's feed-forward block.</summary>
public enum TransformerActivation { Relu, Gelu }

/// <summary>
/// Self-attention then a position-wise feed-forward block, each wrapped in a residual connection with layer norm,
/// as PyTorch: post-norm x = norm1(x + sa(x)), x = norm2(x + ff(x)), or with <c>normFirst</c> x = x + sa(norm1(x)),
/// x = x + ff(norm2(x)); sa(x) = dropout1(self_attn(x, x, x)), ff(x) = dropout2(linear2(dropout(act(linear1(x))))).
/// Children carry PyTorch's names: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// Input (T, B, dModel), or (B, T, dModel) when <c>batchFirst</c>; same shape out.
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; initial weights and dropout masks come from <paramref name="generator"/>, else <see cref="Init.DefaultGenerator"/>.</summary>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = TransformerActivation.Relu, double layerNormEps = 1e-5, bool batchFirst = false,
        bool normFirst = false, Generator? generator = null)
    {
        if (dimFeedforward <= 0) throw new ArgumentException($"TransformerEncoderLayer: dimFeedforward must be positive, got {dimFeedforward}");
        DModel = dModel;
        Activation = activation;
        BatchFirst = batchFirst;
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, bias: true, batchFirst, generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, true, generator));
        FeedForwardDropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, true, generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    public int DModel { get; }
    public TransformerActivation Activation { get; }
    public bool BatchFirst { get; }
    public bool NormFirst { get; }
    public MultiheadAttention SelfAttn { get; }
    public Linear Linear1 { get; }
    public Dropout FeedForwardDropout { get; }
    public Linear Linear2 { get; }
    public LayerNorm Norm1 { get; }
    public LayerNorm Norm2 { get; }
    public Dropout Dropout1 { get; }
    public Dropout Dropout2 { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor src) => Forward(src, null);

    /// <summary>
    /// Encodes <paramref name="src"/>. <paramref name="srcKeyPaddingMask"/> (B, T) marks padded positions (Int32 non-zero
    /// or float 1 = padding) that no position attends to; <paramref name="srcMask"/> is an optional (T, T) attention
    /// mask (see <see cref="MultiheadAttention.Forward(Tensor, Tensor, Tensor, Tensor?, bool, Tensor?, bool)"/>).
    /// </summary>
    public Tensor Forward(Tensor src, Tensor? srcKeyPaddingMask, Tensor? srcMask = null)
    {
        if (src.Rank != 3 || src.Shape[2] != DModel)
            throw new ArgumentException($"TransformerEncoderLayer(d_model={DModel}): expected 3-D input {(BatchFirst ? "(B, T, d_model)" : "(T, B, d_model)")} with d_model = {DModel}, got {src.ShapeString}");
        var x = src;
        if (NormFirst)
        {
            x = x.Add(SelfAttention(Norm1.Forward(x), srcKeyPaddingMask, srcMask));
            return x.Add(FeedForward(Norm2.Forward(x)));
        }
        x = Norm1.Forward(x.Add(SelfAttention(x, srcKeyPaddingMask, srcMask)));
        return Norm2.Forward(x.Add(FeedForward(x)));
    }

    private Tensor SelfAttention(Tensor x, Tensor? keyPadding, Tensor? mask) =>
        Dropout1.Forward(SelfAttn.Forward(x, x, x, keyPadding, needWeights: false, attnMask: mask).Output);

    private Tensor FeedForward(Tensor x)
    {
        var h = Linear1.Forward(x);
        h = Activation == TransformerActivation.Gelu ? h.Gelu() : h.Relu();
        return Dropout2.Forward(Linear2.Forward(FeedForwardDropout.Forward(h)));
    }

    protected override string ExtraRepr() =>
        $"d_model={DModel}, activation={Activation.ToString().ToLowerInvariant()}, batch_first={BatchFirst}, norm_first={NormFirst}";
}
