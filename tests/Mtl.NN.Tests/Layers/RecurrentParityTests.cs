// LSTM and GRU against PyTorch 1.13 fixtures: outputs, final states and every gradient, fused and composed paths.
namespace Mtl.NN.Tests;

public class RecurrentParityTests
{
    // float32 on both sides; the recurrence over ≤ 5 steps accumulates a few ulps, far below these bounds.
    private const double Rtol = 1e-5, Atol = 1e-6;

    private static RecurrentBase Build(TorchCase fx, bool lstm, bool fused)
    {
        RecurrentBase m = lstm
            ? new LSTM(fx.Int("input_size"), fx.Int("hidden_size"), fx.Int("num_layers"), batchFirst: fx.Bool("batch_first"), bidirectional: fx.Bool("bidirectional"))
            : new GRU(fx.Int("input_size"), fx.Int("hidden_size"), fx.Int("num_layers"), batchFirst: fx.Bool("batch_first"), bidirectional: fx.Bool("bidirectional"));
        m.UseFusedKernel = fused;
        var result = m.LoadStateDict(fx.Params());
        Assert.Empty(result.MissingKeys);
        Assert.Equal(fx.Names("params"), m.StateDict().Keys); // same names, same order as PyTorch's state_dict
        return m;
    }

    [Theory]
    [InlineData("lstm_bidir_2layer_lengths", true, true)]
    [InlineData("lstm_bidir_2layer_lengths", true, false)]
    [InlineData("lstm_initial_state", true, true)]
    [InlineData("lstm_initial_state", true, false)]
    [InlineData("gru_bidir_2layer_lengths", false, true)]
    [InlineData("gru_bidir_2layer_lengths", false, false)]
    public void Matches_pytorch(string name, bool lstm, bool fused)
    {
        var fx = TorchCase.Load(name);
        var m = Build(fx, lstm, fused);
        var inputs = fx.Names("inputs").ToDictionary(n => n, n => fx.Get("inputs", n).RequireGrad());
        var h0 = inputs.GetValueOrDefault("h0");
        var c0 = inputs.GetValueOrDefault("c0");
        var lengths = fx.Lengths();
        var r = lstm
            ? ((LSTM)m).Forward(inputs["input"], h0, c0, lengths)
            : ((GRU)m).Forward(inputs["input"], h0, lengths);

        var outputs = new Dictionary<string, Tensor> { ["output"] = r.Output, ["h_n"] = r.HiddenState };
        if (lstm) outputs["c_n"] = r.CellState!;
        else Assert.Null(r.CellState);
        foreach (var (k, v) in outputs) TorchCase.AssertClose(fx.Get("outputs", k), v, k, Rtol, Atol);

        fx.Loss(outputs).Backward();
        foreach (var (k, v) in inputs) TorchCase.AssertClose(fx.Get("grads", k), v.Grad, "d/d" + k, Rtol, Atol);
        foreach (var (k, p) in m.NamedParameters()) TorchCase.AssertClose(fx.Get("grads", k), p.Grad, "d/d" + k, Rtol, Atol);
    }

    [Fact]
    public void Padded_outputs_are_exactly_zero_and_states_stop_at_each_length()
    {
        var fx = TorchCase.Load("lstm_bidir_2layer_lengths");
        var m = Build(fx, lstm: true, fused: true);
        var lengths = fx.Lengths()!;
        var r = ((LSTM)m).Forward(fx.Get("inputs", "input"), lengths: lengths);
        int steps = r.Output.Shape[1];
        for (int b = 0; b < lengths.Length; b++)
            for (int t = lengths[b]; t < steps; t++)
                Assert.All(r.Output.Select(0, b).Select(0, t).ToFloatArray(), v => Assert.Equal(0f, v));
        // The forward direction's h_n of the top layer is the output at each sample's last valid step.
        int hidden = m.HiddenSize;
        for (int b = 0; b < lengths.Length; b++)
            Assert.Equal(r.Output.Select(0, b).Select(0, lengths[b] - 1).Slice(0, 0, hidden).ToFloatArray(),
                r.HiddenState.Select(0, 2).Select(0, b).ToFloatArray());
    }
}
