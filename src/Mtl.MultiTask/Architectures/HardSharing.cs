// Hard parameter sharing: one shared encoder (trunk) and one head per task reading its output.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>Options of <see cref="HardSharing"/> (none yet: the trunk and the heads say everything).</summary>
public sealed record HardSharingOptions;

/// <summary>
/// Hard parameter sharing (Caruana 1997; the baseline of every MTL paper): a shared encoder maps the input to a
/// representation of width <c>representationWidth</c> (B, D), and each task's head (one or several layers — a
/// "branch") maps it to the task's outputs. Parameters: <c>encoder.*</c> and <c>heads.{task}.*</c>.
/// </summary>
public sealed class HardSharing : MultiTaskModel, Balancing.ISharedRepresentation
{
    private readonly TaskSpec[] _tasks;

    public HardSharing(Module<Tensor, Tensor> encoder, int representationWidth, IReadOnlyList<TaskSpec> tasks)
    {
        TaskSpec.Validate(tasks);
        if (representationWidth <= 0) throw new ArgumentException($"HardSharing: representation width must be positive, got {representationWidth}");
        _tasks = tasks.ToArray();
        RepresentationWidth = representationWidth;
        Encoder = RegisterModule("encoder", encoder);
        Heads = RegisterModule("heads", TaskHeads.Build(tasks, t => representationWidth));
    }

    /// <summary>Registry factory: one copy of the trunk shared by every task's head.</summary>
    public static HardSharing Create(ArchitectureContext context, HardSharingOptions options) =>
        new(context.Trunk.Build(), context.Trunk.Width(), context.Tasks);

    public Module<Tensor, Tensor> Encoder { get; }
    public ModuleDict<Module<Tensor, Tensor>> Heads { get; }
    public int RepresentationWidth { get; }
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>The shared representation (B, D) of a batch.</summary>
    public Tensor Encode(Tensor input)
    {
        var h = Encoder.Forward(input);
        if (h.Rank != 2 || h.Shape[1] != RepresentationWidth)
            throw new ArgumentException($"HardSharing: the encoder produced {h.ShapeString} for input {input.ShapeString}; the heads expect (B, {RepresentationWidth})");
        return h;
    }

    /// <summary>Each task's head applied to a representation, checked against the task's output size.</summary>
    public IReadOnlyDictionary<string, Tensor> Decode(Tensor representation)
    {
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            var y = Heads[t.Name].Forward(representation);
            if (y.Rank < 2 || y.Shape[^1] != t.OutputSize)
                throw new ArgumentException($"task '{t.Name}': head output {y.ShapeString} does not end in the task's {t.OutputSize} outputs");
            outputs[t.Name] = y;
        }
        return outputs;
    }

    /// <summary>The representation of the last forward pass in training mode (null before one, or after an evaluation pass).</summary>
    public Tensor? LastRepresentation { get; private set; }

    /// <summary>Per-task outputs: logits (B, C) for classification, values (B, K) for regression.</summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
    {
        var z = Encode(input);
        LastRepresentation = Training ? z : null;
        return Decode(z);
    }
}
