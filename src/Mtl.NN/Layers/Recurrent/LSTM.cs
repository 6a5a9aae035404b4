// Long short-term memory layer (PyTorch's nn.LSTM): multi-layer, bidirectional, variable-length sequences.
namespace Mtl.NN;

/// <summary>
/// LSTM with PyTorch's equations and parameter layout (gates i, f, g, o stacked in that order):
/// i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// Input (T, B, inputSize), or (B, T, inputSize) when <c>batchFirst</c>; initial states h0, c0 (numLayers·dirs, B, hidden)
/// default to zeros; optional <see cref="SequenceLengths"/> give pack_padded_sequence semantics. Returns
/// <see cref="RnnOutput"/> with output (T, B, dirs·hidden) (or batch-first), h_n and c_n.
/// </summary>
public sealed class LSTM : RecurrentBase
{
    /// <summary>Creates the layer; parameters come from <paramref name="generator"/> (else <see cref="Init.DefaultGenerator"/>),
    /// which also drives the between-layer dropout masks.</summary>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, Generator? generator = null)
        : base(RnnKind.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator) { }

    /// <summary>
    /// Runs the layer. <paramref name="h0"/> and <paramref name="c0"/> are (numLayers·dirs, B, hidden) (zeros when
    /// null); <paramref name="lengths"/> (an int[] or 1-D Int32 tensor of B values in [0, T]) marks the valid prefix of
    /// each sequence: states stop at each sample's last valid step and padded outputs are zero.
    /// </summary>
    public RnnOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, SequenceLengths? lengths = null) =>
        Run(input, h0, c0, lengths);
}
