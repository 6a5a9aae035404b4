// Text encoder: padded token ids (B, L) → Embedding → LSTM → each sequence's last valid hidden state (B, dirs·H).
using Mtl.MultiTask.Architectures;
using Mtl.NN;

namespace Mtl.MultiTask.Encoders;

/// <summary>Options of <see cref="TextEncoder"/> (defaults: one unidirectional LSTM layer of 64 over 64-wide embeddings,
/// no dropout, as PyTorch's <c>nn.LSTM</c>; the seeds' multi-task LSTM example uses dropout 0.2).</summary>
public sealed record TextEncoderOptions
{
    /// <summary>Width of the token embeddings.</summary>
    public int EmbeddingDim { get; init; } = 64;

    /// <summary>Hidden size of each LSTM direction.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Number of stacked LSTM layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Run a reverse LSTM too; the representation is then both directions' final states side by side (2·HiddenSize).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout probability on the outputs of every LSTM layer but the last and on the representation (training only).</summary>
    public double Dropout { get; init; }
}

/// <summary>
/// A sequence encoder for token ids, the shared encoder of the multi-input text model (sentiment on one corpus, topic on
/// another): <c>e_t = E[x_t]</c> (row 0, the padding id, is zero and never trained), an LSTM over e_1..e_n where n is
/// the sequence's own length, and the representation <c>h = dropout(h_n)</c> — the top layer's state after the last
/// valid token (for a bidirectional encoder, [forward h_n ; reverse h_1]).
/// <para>Input: Int32 ids (B, L), each row a sequence followed by padding (<see cref="PaddingId"/> = 0, the
/// <c>Mtl.Data</c> vocabulary's &lt;pad&gt;) — what <c>TextDataset</c> and the data loader produce. Lengths are read from
/// the ids themselves: n = the number of non-padding tokens, so padding never reaches the state and a sequence gives
/// the same representation however much it is padded. A row that is all padding has length 0 and encodes to zeros (the
/// LSTM's initial state); a padding id followed by a real token is an error naming the sample. Each batch is cut to its
/// longest sequence before the LSTM, so a batch of short texts does not pay for the padded length.</para>
/// Output: (B, <see cref="OutputWidth"/>). Parameters: <c>embedding.weight</c> and the LSTM's
/// <c>lstm.weight_ih_l{k}[_reverse]</c>, <c>lstm.weight_hh_l{k}[_reverse]</c>, <c>lstm.bias_ih_l{k}[_reverse]</c>,
/// <c>lstm.bias_hh_l{k}[_reverse]</c> (PyTorch's names).
/// </summary>
public sealed class TextEncoder : Module<Tensor, Tensor>
{
    /// <summary>The id that marks padding (the vocabulary's &lt;pad&gt;).</summary>
    public const int PaddingId = 0;

    /// <summary>Creates the encoder; parameters and dropout masks come from <paramref name="generator"/> (else
    /// <see cref="Init.DefaultGenerator"/>).</summary>
    /// <param name="vocabularySize">Number of token ids, padding and unknown included (ids must lie in [0, vocabularySize)).</param>
    /// <param name="options">Sizes and dropout; defaults when null.</param>
    /// <param name="generator">Source of the initial parameters and of the dropout masks.</param>
    public TextEncoder(int vocabularySize, TextEncoderOptions? options = null, Generator? generator = null)
    {
        var o = options ?? new TextEncoderOptions();
        Validate(vocabularySize, o);
        VocabularySize = vocabularySize;
        Options = o;
        OutputWidth = o.HiddenSize * (o.Bidirectional ? 2 : 1);
        Embedding = RegisterModule("embedding", new Embedding(vocabularySize, o.EmbeddingDim, PaddingId, generator));
        Lstm = RegisterModule("lstm", new LSTM(o.EmbeddingDim, o.HiddenSize, o.Layers, dropout: o.Dropout,
            bidirectional: o.Bidirectional, generator: generator));
        Dropout = RegisterModule("dropout", new Dropout(o.Dropout, generator));
    }

    /// <summary>Number of token ids the embedding holds.</summary>
    public int VocabularySize { get; }

    /// <summary>The options in use.</summary>
    public TextEncoderOptions Options { get; }

    /// <summary>Width of the representation: HiddenSize, or 2·HiddenSize when bidirectional.</summary>
    public int OutputWidth { get; }

    /// <summary>The token embedding table (VocabularySize, EmbeddingDim), padding row 0.</summary>
    public Embedding Embedding { get; }

    /// <summary>The (time-major) LSTM over the embeddings.</summary>
    public LSTM Lstm { get; }

    /// <summary>Dropout on the representation (identity in evaluation mode).</summary>
    public Dropout Dropout { get; }

    /// <summary>Encodes a batch of padded token ids (B, L) into (B, <see cref="OutputWidth"/>).</summary>
    /// <exception cref="ArgumentException">The input is not 2-D Int32, or a padding id precedes a real token.</exception>
    public override Tensor Forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Rank != 2 || ids.DType != DType.Int32)
            throw new ArgumentException($"TextEncoder: expected Int32 token ids (B, L), got {ids.DType} {ids.ShapeString}");
        var lengths = Lengths(ids);                                               // (B)
        int steps = Math.Max(1, lengths.DefaultIfEmpty(0).Max());                 // longest sequence; ≥ 1 step
        var timeMajor = ids.Slice(1, 0, steps).Transpose(0, 1);                   // (T, B)
        var embedded = Embedding.Forward(timeMajor);                              // (T, B, E)
        var last = Lstm.Forward(embedded, lengths: lengths).LastLayerHidden;      // (B, dirs·H)
        return Dropout.Forward(last);
    }

    /// <summary>
    /// The length of every sequence of a padded batch (B, L): its number of non-padding tokens. Padding must come after
    /// a sequence's tokens; an all-padding row has length 0.
    /// </summary>
    /// <exception cref="ArgumentException">A padding id is followed by a real token (the message names the sample and
    /// both positions).</exception>
    public static int[] Lengths(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Rank != 2 || ids.DType != DType.Int32)
            throw new ArgumentException($"TextEncoder: expected Int32 token ids (B, L), got {ids.DType} {ids.ShapeString}");
        int batch = ids.Shape[0], width = ids.Shape[1];
        var values = ids.ToArray<int>();                                          // (B·L) row-major
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            var row = values.AsSpan(b * width, width);
            int n = row.IndexOf(PaddingId);
            if (n < 0) n = width;
            int after = row[n..].IndexOfAnyExcept(PaddingId);
            if (after >= 0)
                throw new ArgumentException(
                    $"TextEncoder: sample {b} has the padding id {PaddingId} at position {n} before token {row[n + after]} at position {n + after}; " +
                    "sequences must be padded at the end only (as TextDataset does)");
            lengths[b] = n;
        }
        return lengths;
    }

    /// <summary>
    /// A one-stage <see cref="Architectures.Trunk"/> over Int32 token ids of per-sample shape (<paramref name="maxLength"/>),
    /// whose stage is a fresh <see cref="TextEncoder"/>, so any registered architecture can share a text encoder:
    /// <c>ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, TextEncoder.Trunk(vocab.Count, 64)))</c>.
    /// </summary>
    /// <param name="vocabularySize">Number of token ids (e.g. <c>Vocabulary.Count</c>).</param>
    /// <param name="maxLength">The padded length L of every sample (<c>TextDataset.MaxLength</c>).</param>
    /// <param name="options">Encoder sizes and dropout; defaults when null.</param>
    /// <param name="generator">Source of every built copy's parameters and dropout masks (else the default generator).</param>
    public static Trunk Trunk(int vocabularySize, int maxLength, TextEncoderOptions? options = null, Generator? generator = null)
    {
        var o = options ?? new TextEncoderOptions();
        Validate(vocabularySize, o);
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"TextEncoder: maxLength must be >= 1, got {maxLength}");
        return new Trunk([maxLength], DType.Int32, () => new TextEncoder(vocabularySize, o, generator));
    }

    private static void Validate(int vocabularySize, TextEncoderOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (vocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize,
                $"TextEncoder: vocabulary size must be >= 2 (padding id {PaddingId} and at least one token), got {vocabularySize}");
        if (o.EmbeddingDim <= 0 || o.HiddenSize <= 0 || o.Layers <= 0)
            throw new ArgumentException($"TextEncoder: EmbeddingDim ({o.EmbeddingDim}), HiddenSize ({o.HiddenSize}) and Layers ({o.Layers}) must be positive");
        if (!(o.Dropout >= 0 && o.Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(o), o.Dropout, $"TextEncoder: Dropout must be in [0, 1), got {o.Dropout}");
    }

    protected override string ExtraRepr() => $"vocabulary={VocabularySize}, output={OutputWidth}";
}
