// The functional core of LSTM/GRU: validation, input projections, the layer and direction loop, masks and dropout.
namespace Mtl.NN;

/// <summary>
/// Runs a stack of recurrent layers on explicit weights (the modules pass their parameters; tests pass float64 ones).
/// Every layer projects the whole sequence through W_ih with one GEMM, then each direction runs its recurrence either
/// as one fused primitive (<see cref="LstmSequence"/>, <see cref="GruSequence"/>) or as a chain of per-step ops
/// (<see cref="RecurrentComposed"/>, the oracle).
/// </summary>
internal static class RnnCore
{
    public static RnnOutput Run(RnnSettings s, Tensor input, IReadOnlyList<RnnWeights> weights, Tensor? h0, Tensor? c0,
        SequenceLengths? lengths, double dropout, Generator generator, bool fused)
    {
        string name = $"{s.Name}({s.InputSize}→{s.HiddenSize})";
        string layout = s.BatchFirst ? "(B, T, features)" : "(T, B, features)";
        if (input.Rank != 3)
            throw new ArgumentException($"{name}: expected 3-D input {layout} with {s.InputSize} features, got {input.ShapeString}");
        if (input.Shape[2] != s.InputSize)
            throw new ArgumentException($"{name}: input {input.ShapeString} has {input.Shape[2]} features, expected {s.InputSize} (layout {layout})");
        var dtype = weights[0].Wih.DType;
        if (input.DType != dtype)
            throw new ArgumentException($"{name}: input is {input.DType} {input.ShapeString} but the weights are {dtype}");

        var x = (s.BatchFirst ? input.Transpose(0, 1) : input).Contiguous(); // (T, B, in)
        int steps = x.Shape[0], batch = x.Shape[1], hidden = s.HiddenSize, dirs = s.Directions, states = s.NumLayers * dirs;
        CheckState(name, "h0", h0, states, batch, hidden, dtype);
        CheckState(name, "c0", c0, states, batch, hidden, dtype);
        int[]? lens = lengths?.Resolve(name, batch, steps);
        Tensor? mask = lens is null || fused ? null : StepMask(lens, steps, batch, dtype); // (T, B, 1)

        var hn = new Tensor[states];
        var cn = s.Kind == RnnKind.Lstm ? new Tensor[states] : null;
        var layerInput = x;
        for (int layer = 0; layer < s.NumLayers; layer++)
        {
            var outs = new Tensor[dirs];
            for (int d = 0; d < dirs; d++)
            {
                int k = layer * dirs + d;
                var w = weights[k];
                var hInit = h0?.Select(0, k) ?? Tensor.Zeros([batch, hidden], dtype);  // (B, H)
                var proj = InputProjection(layerInput, w, s.Kind);                    // (T, B, G·H)
                if (s.Kind == RnnKind.Lstm)
                {
                    var cInit = c0?.Select(0, k) ?? Tensor.Zeros([batch, hidden], dtype);
                    var (o, h, c) = fused
                        ? Unpack(LstmSequence.Run(proj, w.Whh, hInit, cInit, lens, reverse: d == 1), steps, withCell: true)
                        : RecurrentComposed.Lstm(proj, w.Whh, hInit, cInit, mask, reverse: d == 1);
                    (outs[d], hn[k], cn![k]) = (o, h, c!);
                }
                else
                {
                    var (o, h, _) = fused
                        ? Unpack(GruSequence.Run(proj, w.Whh, w.Bhh, hInit, lens, reverse: d == 1), steps, withCell: false)
                        : RecurrentComposed.Gru(proj, w.Whh, w.Bhh, hInit, mask, reverse: d == 1);
                    (outs[d], hn[k]) = (o, h);
                }
            }
            var y = dirs == 1 ? outs[0] : JoinOps.Concat(outs, 2); // (T, B, dirs·H)
            if (layer < s.NumLayers - 1 && dropout > 0) y = y.Dropout(dropout, true, generator);
            layerInput = y;
        }
        var output = s.BatchFirst ? layerInput.Transpose(0, 1).Contiguous() : layerInput;
        return new RnnOutput(output, JoinOps.Stack(hn, 0), cn is null ? null : JoinOps.Stack(cn, 0)) { Directions = dirs };
    }

    /// <summary>x·W_ihᵀ plus the biases that do not depend on h, for all steps at once: (T, B, in) → (T, B, G·H).</summary>
    private static Tensor InputProjection(Tensor x, RnnWeights w, RnnKind kind)
    {
        int steps = x.Shape[0], batch = x.Shape[1], g = w.Wih.Shape[0];
        var p = x.Reshape(steps * batch, x.Shape[2]).MatMul(w.Wih.T()); // (T·B, G·H)
        // An LSTM adds both biases to the gates; a GRU keeps b_hn inside r ⊙ (W_hn h + b_hn), so only b_ih goes here.
        var bias = kind == RnnKind.Gru || w.Bih is null || w.Bhh is null ? w.Bih : w.Bih.Add(w.Bhh);
        if (bias is not null) p = p.Add(bias);
        return p.Reshape(steps, batch, g);
    }

    /// <summary>Splits a fused primitive's packed (T + 2, B, H) result into output, h_n and c_n views.</summary>
    private static (Tensor, Tensor, Tensor?) Unpack(Tensor packed, int steps, bool withCell) =>
        (packed.Slice(0, 0, steps), packed.Select(0, steps), withCell ? packed.Select(0, steps + 1) : null);

    /// <summary>(T, B, 1): 1 where step t lies inside sample b's length, else 0.</summary>
    internal static Tensor StepMask(int[] lengths, int steps, int batch, DType dtype)
    {
        var m = new double[steps * batch];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                m[t * batch + b] = t < lengths[b] ? 1 : 0;
        return dtype == DType.Float64 ? Tensor.From(m, steps, batch, 1) : Tensor.From(m.Select(v => (float)v).ToArray(), steps, batch, 1);
    }

    private static void CheckState(string name, string what, Tensor? state, int n, int batch, int hidden, DType dtype)
    {
        if (state is null) return;
        if (state.Rank != 3 || state.Shape[0] != n || state.Shape[1] != batch || state.Shape[2] != hidden)
            throw new ArgumentException($"{name}: initial state {what} {state.ShapeString} must be (numLayers·dirs, B, hidden) = ({n}, {batch}, {hidden})");
        if (state.DType != dtype)
            throw new ArgumentException($"{name}: initial state {what} is {state.DType} but the weights are {dtype}");
    }
}
