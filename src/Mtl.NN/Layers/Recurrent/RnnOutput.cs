// What LSTM/GRU return, and the per-sample sequence lengths they accept (int[] or an Int32 tensor).
using System.Diagnostics.CodeAnalysis;

namespace Mtl.NN;

/// <summary>
/// The result of a recurrent layer. <see cref="Output"/> is (T, B, dirs·hidden), or (B, T, dirs·hidden) for batch-first
/// layers, holding the last layer's hidden state at every step (both directions concatenated, forward first; zero at
/// padded steps when lengths were given). <see cref="HiddenState"/> is h_n, (numLayers·dirs, B, hidden), ordered
/// layer-major (index layer·dirs + direction). <see cref="CellState"/> is the LSTM's c_n of the same shape, null for a GRU.
/// </summary>
public sealed record RnnOutput(Tensor Output, Tensor HiddenState, Tensor? CellState)
{
    /// <summary>Number of directions (2 for a bidirectional layer); set by the layer.</summary>
    public int Directions { get; init; } = 1;

    /// <summary>
    /// The top layer's final hidden state with its directions side by side, (B, dirs·hidden) (forward first): the usual
    /// sequence summary for a classification head. With lengths, each direction's state is taken at the sample's last
    /// valid step (forward) or first step (reverse).
    /// </summary>
    public Tensor LastLayerHidden
    {
        get
        {
            int n = HiddenState.Shape[0], batch = HiddenState.Shape[1];
            var top = HiddenState.Slice(0, n - Directions, n);                    // (dirs, B, H)
            return Directions == 1 ? top.Squeeze(0) : top.Permute(1, 0, 2).Reshape(batch, -1);
        }
    }
}

/// <summary>
/// Valid lengths of the sequences in a padded batch, one per sample (PyTorch's pack_padded_sequence lengths, in any
/// order). Built implicitly from an <c>int[]</c> or from a 1-D Int32 tensor. Each length must lie in [0, T]: sample b's
/// state stops changing after lengths[b] steps, its outputs beyond are zero, and the reverse direction starts at step
/// lengths[b] − 1. A length of 0 (which PyTorch rejects) leaves the initial state unchanged and gives zero outputs.
/// </summary>
public sealed class SequenceLengths
{
    private readonly int[] _values;

    /// <summary>Lengths from an array (copied).</summary>
    public SequenceLengths(int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values.ToArray();
    }

    /// <summary>Lengths from a 1-D Int32 tensor.</summary>
    public SequenceLengths(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Rank != 1 || values.DType != DType.Int32)
            throw new ArgumentException($"sequence lengths: expected a 1-D Int32 tensor, got {values.DType} {values.ShapeString}");
        _values = values.ToArray<int>();
    }

    /// <summary>The lengths, one per sample.</summary>
    public IReadOnlyList<int> Values => _values;

    /// <summary>Lengths from an array; null stays null (all sequences full length).</summary>
    [return: NotNullIfNotNull(nameof(values))]
    public static implicit operator SequenceLengths?(int[]? values) => values is null ? null : new(values);

    /// <summary>Lengths from a 1-D Int32 tensor; null stays null (all sequences full length).</summary>
    [return: NotNullIfNotNull(nameof(values))]
    public static implicit operator SequenceLengths?(Tensor? values) => values is null ? null : new(values);

    /// <summary>
    /// Checks the lengths against a batch of <paramref name="batch"/> sequences of <paramref name="steps"/> steps and
    /// returns them, or null when every sequence uses all steps (no masking needed).
    /// </summary>
    internal int[]? Resolve(string layer, int batch, int steps)
    {
        if (_values.Length != batch)
            throw new ArgumentException($"{layer}: {_values.Length} sequence lengths given for a batch of {batch}");
        bool full = true;
        for (int b = 0; b < batch; b++)
        {
            int n = _values[b];
            if (n < 0 || n > steps)
                throw new ArgumentOutOfRangeException("lengths", $"{layer}: length {n} of sample {b} is outside [0, {steps}] (the input has {steps} steps)");
            full &= n == steps;
        }
        return full ? null : _values;
    }
}
