// Basic layers against PyTorch 1.13 (fixtures from Fixtures/gen_layers.py): outputs, gradients, running statistics.
using System.Text.Json;
using static Mtl.NN.Tests.FixtureJson;

namespace Mtl.NN.Tests.Layers;

public class LayerParityTests
{
    private static readonly JsonElement Cases = Load("layers.json").GetProperty("cases");

    /// <summary>Loads the case's state, runs forward/backward with the fixture's projection, compares everything.</summary>
    private static void Check(string name, Module<Tensor, Tensor> module, Func<Tensor, Tensor>? forward = null)
    {
        var c = Cases.GetProperty(name);
        module.LoadStateDict(State(c.GetProperty("state")));
        if (!c.GetProperty("train").GetBoolean()) module.Eval();
        var input = Tensor(c.GetProperty("input"));
        if (input.DType == DType.Float32) input.RequireGrad();
        var output = (forward ?? module.Forward)(input);
        AssertClose(Tensor(c.GetProperty("output")), output, $"{name} output");
        output.Mul(Tensor(c.GetProperty("proj"))).Sum().Backward();
        var grads = c.GetProperty("grads");
        foreach (var (pname, p) in module.NamedParameters())
            if (grads.TryGetProperty(pname, out var g)) AssertClose(Tensor(g), p.Grad!, $"{name} grad {pname}");
        if (grads.TryGetProperty("input", out var gi)) AssertClose(Tensor(gi), input.Grad!, $"{name} grad input");
        var after = module.StateDict();
        foreach (var p in c.GetProperty("state_after").EnumerateObject())
            if (p.Value.GetProperty("dtype").GetString() == "float32") AssertClose(Tensor(p.Value), after[p.Name], $"{name} state {p.Name}");
            else Assert.Equal(Tensor(p.Value).ToArray<int>(), after[p.Name].ToArray<int>());
    }

    [Fact] public void Linear() => Check("linear", new Linear(5, 3));
    [Fact] public void Linear_3d_without_bias() => Check("linear_3d_nobias", new Linear(4, 6, bias: false));
    [Fact] public void Conv2d_stride_padding() => Check("conv2d", new Conv2d(3, 4, 3, stride: 2, padding: 1));
    [Fact] public void Conv2d_groups_dilation_rectangular() => Check("conv2d_groups_dilation", new Conv2d(4, 6, (3, 2), (1, 1), (2, 1), (2, 1), groups: 2));
    [Fact] public void MaxPool2d() => Check("maxpool2d", new MaxPool2d(2));
    [Fact] public void MaxPool2d_stride_padding() => Check("maxpool2d_stride_pad", new MaxPool2d(3, stride: 2, padding: 1));
    [Fact] public void AvgPool2d_padding_counts_zeros() => Check("avgpool2d", new AvgPool2d(2, stride: 2, padding: 1));
    [Fact] public void AdaptiveAvgPool2d_uneven_bins() => Check("adaptive_avgpool2d", new AdaptiveAvgPool2d(3, 2));
    [Fact] public void BatchNorm1d_training_updates_running_stats() => Check("batchnorm1d_train", new BatchNorm1d(4));
    [Fact] public void BatchNorm2d_training() => Check("batchnorm2d_train", new BatchNorm2d(3));
    [Fact] public void BatchNorm2d_eval_uses_running_stats() => Check("batchnorm2d_eval", new BatchNorm2d(3));
    [Fact] public void LayerNorm_over_two_dims() => Check("layernorm", new LayerNorm([3, 4]));
    [Fact] public void Embedding_with_padding() => Check("embedding_padding", new Embedding(10, 4, paddingIdx: 2));
    [Fact] public void EmbeddingBag_mean() => Check("embeddingbag_mean", new EmbeddingBag(10, 3, BagMode.Mean));

    [Fact]
    public void EmbeddingBag_sum_with_offsets()
    {
        var offsets = Tensor(Cases.GetProperty("embeddingbag_sum_offsets").GetProperty("extra_inputs")[0]);
        var bag = new EmbeddingBag(10, 3, BagMode.Sum);
        Check("embeddingbag_sum_offsets", bag, x => bag.Forward(x, offsets));
    }
}
