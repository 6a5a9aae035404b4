// The shared encoders a config can name (trunk.name): LeNet for 28×28 images, an MLP for features, an LSTM for text.
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Encoders;
using Mtl.NN;

namespace Mtl.Cli.Model;

/// <summary>Options of the <c>lenet</c> trunk.</summary>
public sealed record LeNetTrunk
{
    /// <summary>Scales every layer's width (channels 10w and 20w, hidden 50w): 0.5 gives a half-width student for distillation.</summary>
    public double Width { get; init; } = 1;
}

/// <summary>Options of the <c>mlp</c> trunk.</summary>
public sealed record MlpTrunk
{
    /// <summary>Widths of the Linear + ReLU stages (the input is flattened first).</summary>
    public int[] Widths { get; init; } = [64, 32];
}

/// <summary>The trunks of <c>trunk.name</c>; the <c>text</c> trunk takes <see cref="TextEncoderOptions"/>.</summary>
internal static class TrunkCatalog
{
    public static Catalog Catalog { get; } = new("trunk", "trunk",
    [
        new("lenet", "LeNet-style CNN for (1, 28, 28) images: conv-pool-relu, conv-pool-relu, linear 320→50 (Sener & Koltun 2018)", typeof(LeNetTrunk)),
        new("mlp", "multilayer perceptron: Linear + ReLU stages over the flattened input", typeof(MlpTrunk)),
        new("text", "Embedding + LSTM over token ids, the last valid state (for the text dataset)", typeof(TextEncoderOptions)),
    ]);

    /// <summary>Builds the trunk <paramref name="name"/> for the data's input; parameters come from <paramref name="generator"/>.</summary>
    public static Trunk Build(string name, object options, DataBundle data, Generator generator)
    {
        var input = data.Input;
        switch (name)
        {
            case "lenet":
                if (input.DType != DType.Float32 || !input.Shape.AsSpan().SequenceEqual([1, 28, 28]))
                    throw new ArgumentException($"reads Float32 (1, 28, 28) images; the data gives {input.DType} ({string.Join(", ", input.Shape)}) — use mlp (features) or text (token ids)");
                return Trunk.LeNet(((LeNetTrunk)options).Width, generator);
            case "mlp":
                {
                    if (input.DType != DType.Float32) throw new ArgumentException($"reads Float32 features; the data gives {input.DType} token ids — use the text trunk");
                    var widths = ((MlpTrunk)options).Widths;
                    if (widths.Length == 0 || widths.Any(w => w <= 0)) throw new ArgumentException($"widths must be positive and at least one, got [{string.Join(", ", widths)}]");
                    int flat = input.Shape.Aggregate(1, (a, b) => a * b);
                    bool flatten = input.Shape.Length > 1;
                    var stages = new Func<Module<Tensor, Tensor>>[widths.Length];
                    for (int i = 0; i < widths.Length; i++)
                    {
                        int fanIn = i == 0 ? flat : widths[i - 1], fanOut = widths[i];
                        bool first = i == 0 && flatten;
                        stages[i] = () => first
                            ? new Sequential(new Flatten(), new Linear(fanIn, fanOut, generator: generator), new ReLU())
                            : new Sequential(new Linear(fanIn, fanOut, generator: generator), new ReLU());
                    }
                    return new Trunk(input.Shape, stages);
                }
            case "text":
                if (input.DType != DType.Int32 || data.Vocabulary is null)
                    throw new ArgumentException($"reads token ids; the data gives {input.DType} ({string.Join(", ", input.Shape)}) — use lenet (images) or mlp (features)");
                return TextEncoder.Trunk(data.Vocabulary.Count, input.Shape[0], (TextEncoderOptions)options, generator);
            default:
                throw new ArgumentException($"unknown trunk '{name}'; allowed: {Catalog.Names}");
        }
    }
}
