// Shared base of LSTM and GRU: settings, PyTorch-named per-layer/direction weights, their init, and the forward entry.
namespace Mtl.NN;

/// <summary>Which recurrence a layer runs.</summary>
internal enum RnnKind { Lstm, Gru }

/// <summary>Weights of one layer and direction: W_ih (G·H, in), W_hh (G·H, H) and optional biases (G·H), G gates.</summary>
internal readonly record struct RnnWeights(Tensor Wih, Tensor Whh, Tensor? Bih, Tensor? Bhh);

/// <summary>The shape-defining settings of a recurrent layer (what the functional core needs besides tensors).</summary>
internal sealed record RnnSettings(RnnKind Kind, string Name, int InputSize, int HiddenSize, int NumLayers, bool BatchFirst, bool Bidirectional)
{
    public int Directions => Bidirectional ? 2 : 1;
    public int Gates => Kind == RnnKind.Lstm ? 4 : 3;
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : HiddenSize * Directions;
}

/// <summary>
/// A multi-layer, optionally bidirectional recurrent layer with PyTorch's parameters: for layer k and direction
/// suffix s ("" or "_reverse"), <c>weight_ih_l{k}{s}</c> (G·hidden, in_k), <c>weight_hh_l{k}{s}</c> (G·hidden, hidden),
/// <c>bias_ih_l{k}{s}</c> and <c>bias_hh_l{k}{s}</c> (G·hidden), where G is 4 for an LSTM (gates i, f, g, o) and 3 for
/// a GRU (r, z, n), and in_k is the input size for layer 0 and dirs·hidden above. All start at U(±1/√hidden).
/// Only 3-D (batched) input is supported.
/// </summary>
public abstract class RecurrentBase : Module<Tensor, RnnOutput>
{
    private readonly RnnWeights[] _weights;
    private readonly Generator? _generator;

    private protected RecurrentBase(RnnKind kind, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, Generator? generator)
    {
        string name = kind == RnnKind.Lstm ? "LSTM" : "GRU";
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentException($"{name}: inputSize and hiddenSize must be positive, got {inputSize} and {hiddenSize}");
        if (numLayers <= 0) throw new ArgumentException($"{name}: numLayers must be positive, got {numLayers}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{name}: dropout must be in [0, 1]");
        Settings = new RnnSettings(kind, name, inputSize, hiddenSize, numLayers, batchFirst, bidirectional);
        HasBias = bias;
        DropoutProbability = dropout;
        _generator = generator;
        int g = Settings.Gates * hiddenSize, dirs = Settings.Directions;
        _weights = new RnnWeights[numLayers * dirs];
        for (int layer = 0; layer < numLayers; layer++)
        {
            for (int d = 0; d < dirs; d++)
            {
                string s = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                var wih = RegisterParameter("weight_ih" + s, Tensor.EmptyUnscoped([g, Settings.LayerInputSize(layer)]))!;
                var whh = RegisterParameter("weight_hh" + s, Tensor.EmptyUnscoped([g, hiddenSize]))!;
                var bih = RegisterParameter("bias_ih" + s, bias ? Tensor.EmptyUnscoped([g]) : null);
                var bhh = RegisterParameter("bias_hh" + s, bias ? Tensor.EmptyUnscoped([g]) : null);
                _weights[layer * dirs + d] = new RnnWeights(wih, whh, bih, bhh);
            }
        }
        using (GradMode.NoGrad()) ResetOwnParameters(generator ?? Init.DefaultGenerator);
    }

    internal RnnSettings Settings { get; }

    public int InputSize => Settings.InputSize;
    public int HiddenSize => Settings.HiddenSize;
    public int NumLayers => Settings.NumLayers;
    public bool BatchFirst => Settings.BatchFirst;
    public bool Bidirectional => Settings.Bidirectional;

    /// <summary>Whether the layer has the bias_ih/bias_hh parameters.</summary>
    public bool HasBias { get; }

    /// <summary>Dropout applied to the outputs of every layer but the last, in training mode only.</summary>
    public double DropoutProbability { get; }

    /// <summary>
    /// Run each layer and direction as one fused recurrence primitive (default) rather than a chain of per-step ops.
    /// Both give the same values and gradients; the fused one is much faster but supports first-order gradients only
    /// (turn it off to differentiate twice).
    /// </summary>
    public bool UseFusedKernel { get; set; } = true;

    /// <summary>W_ih, W_hh, b_ih, b_hh of one layer and direction (0 forward, 1 reverse).</summary>
    internal RnnWeights WeightsOf(int layer, int direction) => _weights[layer * Settings.Directions + direction];

    /// <summary>Runs the layer over (T, B, in) input (or (B, T, in) when batch-first) with zero initial state.</summary>
    public override RnnOutput Forward(Tensor input) => Run(input, null, null, null);

    private protected RnnOutput Run(Tensor input, Tensor? h0, Tensor? c0, SequenceLengths? lengths) =>
        RnnCore.Run(Settings, input, _weights, h0, c0, lengths, Training ? DropoutProbability : 0,
            _generator ?? Init.DefaultGenerator, UseFusedKernel);

    protected override void ResetOwnParameters(Generator generator)
    {
        double bound = 1 / Math.Sqrt(HiddenSize);
        foreach (var w in _weights)
        {
            Init.Uniform(w.Wih, -bound, bound, generator);
            Init.Uniform(w.Whh, -bound, bound, generator);
            if (w.Bih is not null) Init.Uniform(w.Bih, -bound, bound, generator);
            if (w.Bhh is not null) Init.Uniform(w.Bhh, -bound, bound, generator);
        }
    }

    protected override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1) s += $", num_layers={NumLayers}";
        if (!HasBias) s += ", bias=False";
        if (BatchFirst) s += ", batch_first=True";
        if (DropoutProbability != 0) s += $", dropout={DropoutProbability.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        if (Bidirectional) s += ", bidirectional=True";
        return s;
    }
}
