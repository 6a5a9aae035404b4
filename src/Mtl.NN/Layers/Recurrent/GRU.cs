// Gated recurrent unit layer (PyTorch's nn.GRU): multi-layer, bidirectional, variable-length sequences.
namespace Mtl.NN;

/// <summary>
/// GRU with PyTorch's equations and parameter layout (gates r, z, n stacked in that order):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
/// Input (T, B, inputSize), or (B, T, inputSize) when <c>batchFirst</c>; initial state h0 (numLayers·dirs, B, hidden)
/// defaults to zeros; optional <see cref="SequenceLengths"/> give pack_padded_sequence semantics. Returns
/// <see cref="RnnOutput"/> with output (T, B, dirs·hidden) (or batch-first) and h_n; its CellState is null.
/// </summary>
public sealed class GRU : RecurrentBase
{
    /// <summary>Creates the layer; parameters come from <paramref name="generator"/> (else <see cref="Init.DefaultGenerator"/>),
    /// which also drives the between-layer dropout masks.</summary>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, Generator? generator = null)
        : base(RnnKind.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator) { }

    /// <summary>
    /// Runs the layer. <paramref name="h0"/> is (numLayers·dirs, B, hidden) (zeros when null); <paramref name="lengths"/>
    /// (an int[] or 1-D Int32 tensor of B values in [0, T]) marks the valid prefix of each sequence: the state stops at
    /// each sample's last valid step and padded outputs are zero.
    /// </summary>
    public RnnOutput Forward(Tensor input, Tensor? h0 = null, SequenceLengths? lengths = null) => Run(input, h0, null, lengths);
}
