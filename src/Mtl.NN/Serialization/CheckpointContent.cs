// Everything a training checkpoint holds: model weights, named component states, RNG states, step, epoch and config.
namespace Mtl.NN.Serialization;

/// <summary>
/// The content of one training checkpoint. <see cref="Model"/> holds the module's state dict; <see cref="Components"/>
/// the state of every other <see cref="IStateful"/> part by name (e.g. "optim", "sched"); <see cref="Generators"/> the
/// 256-bit state of each <see cref="Generator"/> by name. Component and generator names use letters, digits, '_' and
/// '-' only; "model" and "mtl" are reserved.
/// </summary>
public sealed class CheckpointContent
{
    /// <summary>Model parameters and persistent buffers (stored under <c>model.*</c>).</summary>
    public StateDict Model { get; set; } = new();

    /// <summary>Other stateful parts by name (stored under <c>{name}.*</c>).</summary>
    public Dictionary<string, StateDict> Components { get; } = new(StringComparer.Ordinal);

    /// <summary>Generator states by name, 4 words each (stored as hex in metadata <c>mtl.rng.{name}</c>).</summary>
    public Dictionary<string, ulong[]> Generators { get; } = new(StringComparer.Ordinal);

    /// <summary>Optimisation steps taken so far (non-negative).</summary>
    public long Step { get; set; }

    /// <summary>Epochs completed so far (non-negative).</summary>
    public int Epoch { get; set; }

    /// <summary>The run's configuration as a JSON document (validated on save and load).</summary>
    public string ConfigJson { get; set; } = "{}";

    /// <summary>Snapshots <paramref name="component"/>'s state under <paramref name="name"/>; returns this.</summary>
    public CheckpointContent AddComponent(string name, IStateful component)
    {
        ArgumentNullException.ThrowIfNull(component);
        Components[name] = component.StateDict();
        return this;
    }

    /// <summary>Records <paramref name="generator"/>'s state under <paramref name="name"/>; returns this.</summary>
    public CheckpointContent AddGenerator(string name, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Generators[name] = generator.GetState();
        return this;
    }

    /// <summary>
    /// Captures a training run's state. Tensors are views of the live ones (no copies), so save the result before
    /// training continues.
    /// </summary>
    public static CheckpointContent Capture(Module model, IReadOnlyDictionary<string, IStateful>? components = null,
        IReadOnlyDictionary<string, Generator>? generators = null, long step = 0, int epoch = 0, string configJson = "{}")
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = new CheckpointContent { Model = model.StateDict(), Step = step, Epoch = epoch, ConfigJson = configJson };
        foreach (var (name, comp) in components ?? new Dictionary<string, IStateful>()) c.AddComponent(name, comp);
        foreach (var (name, g) in generators ?? new Dictionary<string, Generator>()) c.AddGenerator(name, g);
        return c;
    }
}
