// Multi-head attention layer (PyTorch's nn.MultiheadAttention): packed in-projection, out_proj child, padding and attention masks.
namespace Mtl.NN;

/// <summary>
/// Multi-head scaled dot-product attention with PyTorch's parameters: <c>in_proj_weight</c> (3E, E) holding the query,
/// key and value projections stacked, <c>in_proj_bias</c> (3E), and the child <c>out_proj</c> (a <see cref="Linear"/>
/// E → E). Init as PyTorch: Xavier-uniform in-projection, zero biases, out_proj.weight as a Linear default.
/// Inputs are (L, B, E) query and (S, B, E) key/value, or (B, L, E)/(B, S, E) when <c>batchFirst</c>; key and value
/// must have E features too (separate kdim/vdim are not supported). See <see cref="Forward(Tensor, Tensor, Tensor, Tensor?, bool, Tensor?, bool)"/>
/// for the masks; a query whose keys are all masked attends to nothing (zero weights, output = out_proj.bias) rather
/// than producing NaN as PyTorch does.
/// </summary>
public sealed class MultiheadAttention : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer; parameters and attention-dropout masks come from <paramref name="generator"/>, else <see cref="Init.DefaultGenerator"/>.</summary>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, bool batchFirst = false, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0)
            throw new ArgumentException($"MultiheadAttention: embedDim and numHeads must be positive, got {embedDim} and {numHeads}");
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embedDim {embedDim} is not divisible by numHeads {numHeads}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "MultiheadAttention: dropout must be in [0, 1]");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        DropoutProbability = dropout;
        BatchFirst = batchFirst;
        _generator = generator;
        var g = generator ?? Init.DefaultGenerator;
        InProjWeight = RegisterParameter("in_proj_weight", Tensor.EmptyUnscoped([3 * embedDim, embedDim]))!;
        InProjBias = RegisterParameter("in_proj_bias", bias ? Tensor.EmptyUnscoped([3 * embedDim]) : null);
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, g));
        using (GradMode.NoGrad()) ResetOwnParameters(g);
    }

    public int EmbedDim { get; }
    public int NumHeads { get; }
    public int HeadDim => EmbedDim / NumHeads;
    public double DropoutProbability { get; }
    public bool BatchFirst { get; }

    /// <summary>(3E, E): rows [0, E) project the query, [E, 2E) the key, [2E, 3E) the value.</summary>
    public Tensor InProjWeight { get; }

    /// <summary>(3E), or null without bias.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection, E → E.</summary>
    public Linear OutProj { get; }

    /// <summary>Self-attention of <paramref name="x"/> without masks; returns only the output.</summary>
    public override Tensor Forward(Tensor x) => Forward(x, x, x, needWeights: false).Output;

    /// <summary>
    /// Attends from <paramref name="query"/> to <paramref name="key"/>/<paramref name="value"/>.
    /// <paramref name="keyPaddingMask"/> (B, S) marks keys to ignore: Int32 non-zero or float 1 = ignore (unlike PyTorch, a
    /// float padding mask is boolean, not additive; other values are rejected). <paramref name="attnMask"/> (L, S) or
    /// (B·heads, L, S) is added to the scores when float (use −∞ to forbid) and forbids non-zero pairs when Int32.
    /// Masks receive no gradient. With <paramref name="needWeights"/> the weights are returned (after attention dropout, as
    /// PyTorch), averaged over heads (B, L, S) unless <paramref name="averageAttnWeights"/> is false (B, heads, L, S).
    /// </summary>
    public AttentionOutput Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true,
        Tensor? attnMask = null, bool averageAttnWeights = true) =>
        AttentionCore.Run($"MultiheadAttention(E={EmbedDim}, heads={NumHeads})", query, key, value, NumHeads, InProjWeight, InProjBias,
            OutProj.Weight, OutProj.Bias, BatchFirst, keyPaddingMask, needWeights, averageAttnWeights, attnMask,
            Training ? DropoutProbability : 0, _generator ?? Init.DefaultGenerator);

    protected override void ResetOwnParameters(Generator generator)
    {
        Init.XavierUniform(InProjWeight, generator);
        if (InProjBias is not null) Init.Constant(InProjBias, 0);
        if (OutProj.Bias is not null) Init.Constant(OutProj.Bias, 0); // out_proj.weight keeps Linear's Kaiming-uniform
    }

    protected override string ExtraRepr() =>
        $"embed_dim={EmbedDim}, num_heads={NumHeads}, dropout={DropoutProbability.ToString(System.Globalization.CultureInfo.InvariantCulture)}, batch_first={BatchFirst}";
}
