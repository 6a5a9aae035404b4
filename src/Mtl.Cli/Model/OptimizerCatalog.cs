// The optimisers a config can name (optimizer.name): SGD, Adam and AdamW with their PyTorch-default options records.
using Mtl.Cli.Config;
using Mtl.NN.Optim;

namespace Mtl.Cli.Model;

/// <summary>The optimisers of <c>optimizer.name</c>; options are the library's own records (snake_case keys).</summary>
internal static class OptimizerCatalog
{
    public static Catalog Catalog { get; } = new("optimizer", "optimizer",
    [
        new("adam", "Adam (Kingma & Ba 2015) with L2 weight decay and AMSGrad, as torch.optim.Adam", typeof(AdamOptions)),
        new("adamw", "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019), as torch.optim.AdamW", typeof(AdamWOptions)),
        new("sgd", "stochastic gradient descent with momentum, dampening, Nesterov and weight decay, as torch.optim.SGD", typeof(SGDOptions)),
    ]);

    /// <summary>Builds optimiser <paramref name="name"/> over <paramref name="parameters"/>.</summary>
    public static Optimizer Build(string name, object options, IEnumerable<Tensor> parameters) => name switch
    {
        "sgd" => new SGD(parameters, (SGDOptions)options),
        "adam" => new Adam(parameters, (AdamOptions)options),
        "adamw" => new AdamW(parameters, (AdamWOptions)options),
        _ => throw new ArgumentException($"unknown optimizer '{name}'; allowed: {Catalog.Names}"),
    };
}
