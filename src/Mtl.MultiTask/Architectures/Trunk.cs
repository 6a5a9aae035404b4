// A shared encoder described as a sequence of stage factories, so architectures can build per-task or per-expert copies.
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// An encoder described as stages: each factory builds one fresh block (new parameters on every call), so an
/// architecture can build one copy (hard sharing), one column per task (cross-stitch, soft sharing, task attention),
/// one copy per expert (MMoE, CGC/PLE, DSelect-k) or read intermediate stages (MTAN, hierarchical heads).
/// <see cref="InputShape"/> is one sample's shape, e.g. (1, 28, 28) for images or (L) for token ids.
/// </summary>
public sealed class Trunk
{
    private readonly Func<Module<Tensor, Tensor>>[] _stages;
    private IReadOnlyList<int[]>? _shapes;

    /// <summary>A trunk over float inputs of per-sample shape <paramref name="inputShape"/>.</summary>
    public Trunk(int[] inputShape, params Func<Module<Tensor, Tensor>>[] stages) : this(inputShape, DType.Float32, stages) { }

    /// <summary>A trunk over inputs of the given per-sample shape and dtype (Int32 for token ids).</summary>
    public Trunk(int[] inputShape, DType inputDType, params Func<Module<Tensor, Tensor>>[] stages)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(stages);
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"Trunk: input shape ({string.Join(", ", inputShape)}) must have positive sizes");
        if (stages.Length == 0) throw new ArgumentException("Trunk: needs at least one stage");
        InputShape = inputShape.ToArray();
        InputDType = inputDType;
        _stages = stages.ToArray();
    }

    /// <summary>One sample's input shape (without the batch dimension).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Float32 for features and pixels, Int32 for token ids.</summary>
    public DType InputDType { get; }

    /// <summary>Number of stages.</summary>
    public int Depth => _stages.Length;

    /// <summary>A fresh block for stage <paramref name="index"/> (new parameters).</summary>
    public Module<Tensor, Tensor> BuildStage(int index)
    {
        if ((uint)index >= (uint)_stages.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"Trunk: stage {index} does not exist (depth {Depth})");
        return _stages[index]() ?? throw new InvalidOperationException($"Trunk: stage {index}'s factory returned null");
    }

    /// <summary>Fresh blocks for every stage, in order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> BuildStages() => Enumerable.Range(0, Depth).Select(BuildStage).ToList();

    /// <summary>A fresh copy of the whole trunk as one <see cref="Sequential"/> (children named 0..Depth−1).</summary>
    public Sequential Build() => new([.. BuildStages()]);

    /// <summary>
    /// Per-sample output shape of each stage, found once by running a throw-away copy on a zero batch of two samples in
    /// evaluation mode. The default generator's state is restored afterwards, so probing does not change the
    /// parameters later builds draw.
    /// </summary>
    public IReadOnlyList<int[]> StageShapes => _shapes ??= Probe();

    /// <summary>Per-sample output shape of the last stage.</summary>
    public int[] OutputShape => StageShapes[^1];

    /// <summary>Width of stage <paramref name="index"/>'s output, which must be flat (B, D) for heads to read it.</summary>
    public int Width(int index = -1)
    {
        int i = index < 0 ? Depth + index : index;
        if ((uint)i >= (uint)Depth) throw new ArgumentOutOfRangeException(nameof(index), $"Trunk: stage {index} does not exist (depth {Depth})");
        var s = StageShapes[i];
        if (s.Length != 1)
            throw new ArgumentException($"Trunk: stage {i} outputs (B, {string.Join(", ", s)}) per batch; a head needs flat features (B, D) — end the stage with Flatten or pooling");
        return s[0];
    }

    /// <summary>Features per sample when the input is flattened: the product of <see cref="InputShape"/>.</summary>
    public int FlatInputSize => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Checks a batch (see <see cref="CheckInput"/>) and flattens it to (B, <see cref="FlatInputSize"/>) — what input-reading gates see.</summary>
    public Tensor FlattenInput(Tensor input, string model)
    {
        CheckInput(input, model);
        return input.Rank == 2 ? input : input.Reshape([input.Shape[0], FlatInputSize]);            // (B, D)
    }

    /// <summary>A zero input batch (B, ...InputShape) of this trunk's dtype.</summary>
    public Tensor ZeroInput(int batch) => Tensor.Zeros([batch, .. InputShape], InputDType);

    /// <summary>Checks that a batch fits the trunk's declared input; the message names the model and both shapes.</summary>
    public void CheckInput(Tensor input, string model)
    {
        bool ok = input.Rank == InputShape.Count + 1 && input.DType == InputDType;
        for (int i = 0; ok && i < InputShape.Count; i++) ok = input.Shape[i + 1] == InputShape[i];
        if (!ok)
            throw new ArgumentException($"{model}: input {input.DType} {input.ShapeString} does not fit the trunk's {InputDType} (B, {string.Join(", ", InputShape)})");
    }

    private IReadOnlyList<int[]> Probe()
    {
        var generator = Init.DefaultGenerator;
        var saved = generator.GetState();
        try
        {
            var shapes = new List<int[]>(Depth);
            using (GradMode.NoGrad())
            {
                var h = ZeroInput(2);
                for (int i = 0; i < Depth; i++)
                {
                    var stage = BuildStage(i);
                    stage.Eval();
                    try { h = stage.Forward(h); }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                    {
                        throw new ArgumentException($"Trunk: stage {i} rejects the output of the stage before it, (2, {string.Join(", ", i == 0 ? InputShape : shapes[i - 1])}): {e.Message}", e);
                    }
                    if (h.Rank < 2 || h.Shape[0] != 2)
                        throw new ArgumentException($"Trunk: stage {i} returned {h.ShapeString} for a batch of 2; stages must keep the batch dimension first");
                    shapes.Add(h.ShapeArray[1..]);
                }
            }
            return shapes;
        }
        finally { generator.SetState(saved); }
    }

    /// <summary>A multilayer perceptron trunk: Linear + ReLU stages of the given widths (parameters drawn from <paramref name="generator"/>, or the default one).</summary>
    public static Trunk Mlp(int inputDim, int[] widths, Generator? generator = null)
    {
        if (widths.Length == 0) throw new ArgumentException("Trunk.Mlp: give at least one width");
        var stages = new Func<Module<Tensor, Tensor>>[widths.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            int fanIn = i == 0 ? inputDim : widths[i - 1], fanOut = widths[i];
            stages[i] = () => new Sequential(new Linear(fanIn, fanOut, generator: generator), new ReLU());
        }
        return new Trunk([inputDim], stages);
    }

    /// <summary>
    /// The LeNet-style trunk of Sener &amp; Koltun's MultiMNIST experiments, for (1, 28, 28) images, in three stages:
    /// Conv(1→10, 5) MaxPool ReLU | Conv(10→20, 5) MaxPool ReLU Flatten | Linear(320→50) ReLU.
    /// </summary>
    public static Trunk LeNet(Generator? generator = null) => LeNet(1, generator);

    /// <summary>
    /// The LeNet trunk with every layer's width scaled by <paramref name="width"/> (channels 10w and 20w, hidden 50w,
    /// each rounded and at least 1): <paramref name="width"/> = 0.5 gives Conv(1→5) | Conv(5→10) | Linear(160→25), the
    /// half-width student of the distillation benchmark; 1 is <see cref="LeNet(Generator?)"/>.
    /// </summary>
    public static Trunk LeNet(double width, Generator? generator = null)
    {
        if (!(width > 0) || double.IsInfinity(width)) throw new ArgumentOutOfRangeException(nameof(width), width, "Trunk.LeNet: width must be positive and finite");
        int c1 = Scale(10, width), c2 = Scale(20, width), hidden = Scale(50, width);
        return new([1, 28, 28],
            () => new Sequential(new Conv2d(1, c1, 5, generator: generator), new MaxPool2d(2), new ReLU()),
            () => new Sequential(new Conv2d(c1, c2, 5, generator: generator), new MaxPool2d(2), new ReLU(), new Flatten()),
            () => new Sequential(new Linear(c2 * 16, hidden, generator: generator), new ReLU()));

        static int Scale(int size, double factor) => Math.Max(1, (int)Math.Round(size * factor, MidpointRounding.AwayFromZero));
    }
}
