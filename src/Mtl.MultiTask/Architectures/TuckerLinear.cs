// A Linear layer per task whose K weight matrices are one Tucker-factorised D_in×D_out×K tensor (Yang & Hospedales 2017).
using Mtl.NN;

namespace Mtl.MultiTask.Architectures;

/// <summary>
/// K task-specific fully connected layers sharing one Tucker-factorised weight tensor (Yang &amp; Hospedales, "Deep
/// Multi-task Representation Learning: A Tensor Factorisation Approach", ICLR 2017):
/// W = S ×₁ U₁ ×₂ U₂ ×₃ U₃ ∈ ℝ^{D_in×D_out×K} with core S (r₁, r₂, r₃) and factors U₁ (D_in, r₁), U₂ (D_out, r₂),
/// U₃ (K, r₃), so task t's weight is W_t = U₁ (S ×₃ U₃[t]) U₂ᵀ (D_in, D_out) and its output y = x W_t + b_t.
/// Parameters: <c>core</c>, <c>u1</c>, <c>u2</c>, <c>u3</c>, <c>bias</c> (K, D_out); r₁r₂r₃ + D_in·r₁ + D_out·r₂ + K·r₃ + K·D_out
/// in all. The default initialisation is the truncated HOSVD of K PyTorch-default Linear weights, with the core rescaled
/// so W keeps the Frobenius norm of those draws; <see cref="LoadTaskWeights"/> initialises from given (e.g. single-task
/// trained) weights the same way, without the rescaling, as the paper does.
/// </summary>
public sealed class TuckerLinear : Module
{
    /// <summary>Creates the layer; ranks must lie in 1 … the size of their mode.</summary>
    public TuckerLinear(int inFeatures, int outFeatures, int tasks, int inputRank, int outputRank, int taskRank, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0 || tasks <= 0)
            throw new ArgumentException($"TuckerLinear: sizes must be positive, got in={inFeatures}, out={outFeatures}, tasks={tasks}");
        if (inputRank < 1 || inputRank > inFeatures || outputRank < 1 || outputRank > outFeatures || taskRank < 1 || taskRank > tasks)
            throw new ArgumentException($"TuckerLinear: ranks ({inputRank}, {outputRank}, {taskRank}) must lie in 1 … (in={inFeatures}, out={outFeatures}, tasks={tasks})");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        TaskCount = tasks;
        Core = RegisterParameter("core", Tensor.EmptyUnscoped([inputRank, outputRank, taskRank]))!;
        U1 = RegisterParameter("u1", Tensor.EmptyUnscoped([inFeatures, inputRank]))!;
        U2 = RegisterParameter("u2", Tensor.EmptyUnscoped([outFeatures, outputRank]))!;
        U3 = RegisterParameter("u3", Tensor.EmptyUnscoped([tasks, taskRank]))!;
        Bias = RegisterParameter("bias", Tensor.EmptyUnscoped([tasks, outFeatures]))!;
        using (GradMode.NoGrad()) ResetOwnParameters(generator ?? Init.DefaultGenerator);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>K, the number of tasks (weight matrices).</summary>
    public int TaskCount { get; }

    /// <summary>(r₁, r₂, r₃).</summary>
    public Tensor Core { get; }

    /// <summary>Input factor (D_in, r₁).</summary>
    public Tensor U1 { get; }

    /// <summary>Output factor (D_out, r₂).</summary>
    public Tensor U2 { get; }

    /// <summary>Task factor (K, r₃).</summary>
    public Tensor U3 { get; }

    /// <summary>Per-task biases (K, D_out).</summary>
    public Tensor Bias { get; }

    /// <summary>(r₁, r₂, r₃).</summary>
    public (int Input, int Output, int Task) Ranks => (Core.Shape[0], Core.Shape[1], Core.Shape[2]);

    /// <summary>Number of parameters for the given sizes: r₁r₂r₃ + D_in·r₁ + D_out·r₂ + K·r₃ + K·D_out.</summary>
    public static long ParameterCountFor(int inFeatures, int outFeatures, int tasks, int r1, int r2, int r3) =>
        (long)r1 * r2 * r3 + (long)inFeatures * r1 + (long)outFeatures * r2 + (long)tasks * r3 + (long)tasks * outFeatures;

    /// <summary>Task <paramref name="task"/>'s layer: x (..., D_in) → (..., D_out).</summary>
    public Tensor Forward(Tensor x, int task)
    {
        if ((uint)task >= (uint)TaskCount) throw new ArgumentOutOfRangeException(nameof(task), $"TuckerLinear: task {task} does not exist ({TaskCount} tasks)");
        if (x.Rank < 1 || x.Shape[^1] != InFeatures)
            throw new ArgumentException($"TuckerLinear({InFeatures}→{OutFeatures}, task {task}): input {x.ShapeString} must end in {InFeatures} features");
        return Compute(x, Core, U1, U2, U3, Bias, task);
    }

    /// <summary>W_t = U₁ (S ×₃ U₃[t]) U₂ᵀ, (D_in, D_out), differentiable.</summary>
    public Tensor TaskWeight(int task)
    {
        if ((uint)task >= (uint)TaskCount) throw new ArgumentOutOfRangeException(nameof(task), $"TuckerLinear: task {task} does not exist ({TaskCount} tasks)");
        return TaskWeight(Core, U1, U2, U3, task);
    }

    /// <summary>The whole weight tensor W (D_in, D_out, K), differentiable.</summary>
    public Tensor Weight() => JoinOps.Stack(Enumerable.Range(0, TaskCount).Select(TaskWeight).ToArray(), 2);

    /// <summary>The layer as a function of its parameters (for gradient checks and functional use): x W_t + b_t.</summary>
    public static Tensor Compute(Tensor x, Tensor core, Tensor u1, Tensor u2, Tensor u3, Tensor? bias, int task)
    {
        var y = x.MatMul(u1).MatMul(CoreForTask(core, u3, task)).MatMul(u2.T());                  // (..., r₁) → (..., r₂) → (..., D_out)
        return bias is null ? y : y.Add(bias.Select(0, task));
    }

    /// <summary>W_t = U₁ (S ×₃ U₃[t]) U₂ᵀ from explicit parameters.</summary>
    public static Tensor TaskWeight(Tensor core, Tensor u1, Tensor u2, Tensor u3, int task) =>
        u1.MatMul(CoreForTask(core, u3, task)).MatMul(u2.T());                                     // (D_in, D_out)

    /// <summary>S ×₃ U₃[t] = Σ_c S[:, :, c] U₃[t, c], (r₁, r₂).</summary>
    private static Tensor CoreForTask(Tensor core, Tensor u3, int task)
    {
        int r1 = core.Shape[0], r2 = core.Shape[1], r3 = core.Shape[2];
        var mix = u3.Select(0, task).Unsqueeze(1);                                                 // (r₃, 1)
        return core.Reshape(r1 * r2, r3).MatMul(mix).Reshape(r1, r2);                               // (r₁, r₂)
    }

    /// <summary>
    /// Sets the factors to the truncated HOSVD (at this layer's ranks) of the given task weights, each (D_in, D_out) —
    /// the transpose of a <see cref="Linear"/>'s (out, in) weight — and copies the biases (each (D_out)) when given.
    /// This is the paper's initialisation from single-task models.
    /// </summary>
    public void LoadTaskWeights(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor>? biases = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != TaskCount) throw new ArgumentException($"TuckerLinear: got {weights.Count} task weights for {TaskCount} tasks");
        if (biases is not null && biases.Count != TaskCount) throw new ArgumentException($"TuckerLinear: got {biases.Count} biases for {TaskCount} tasks");
        var w = new double[InFeatures * OutFeatures * TaskCount];
        for (int t = 0; t < TaskCount; t++)
        {
            if (weights[t].Rank != 2 || weights[t].Shape[0] != InFeatures || weights[t].Shape[1] != OutFeatures)
                throw new ArgumentException($"TuckerLinear: task {t}'s weight is {weights[t].ShapeString}, expected ({InFeatures}, {OutFeatures}) (transpose a Linear's weight)");
            var wt = weights[t].Contiguous().ToDoubleArray();
            for (int i = 0; i < InFeatures * OutFeatures; i++) w[i * TaskCount + t] = wt[i];
        }
        double[][]? b = null;
        if (biases is not null)
        {
            b = new double[TaskCount][];
            for (int t = 0; t < TaskCount; t++)
            {
                if (biases[t].Rank != 1 || biases[t].Shape[0] != OutFeatures)
                    throw new ArgumentException($"TuckerLinear: task {t}'s bias is {biases[t].ShapeString}, expected ({OutFeatures})");
                b[t] = biases[t].Contiguous().ToDoubleArray();
            }
        }
        using (GradMode.NoGrad()) SetFromTensor(w, rescale: false, b);
    }

    protected override void ResetOwnParameters(Generator generator)
    {
        // K default Linear draws: weights U(±1/√D_in) (Kaiming-uniform, a = √5) and biases U(±1/√D_in).
        double bound = 1 / Math.Sqrt(InFeatures);
        var draws = Tensor.Rand([TaskCount, InFeatures, OutFeatures], generator, -bound, bound, DType.Float64).ToArray<double>();
        var w = new double[draws.Length];
        for (int t = 0; t < TaskCount; t++)
            for (int i = 0; i < InFeatures * OutFeatures; i++) w[i * TaskCount + t] = draws[t * InFeatures * OutFeatures + i];
        var biases = Tensor.Rand([TaskCount, OutFeatures], generator, -bound, bound, DType.Float64).ToArray<double>();
        SetFromTensor(w, rescale: true, Enumerable.Range(0, TaskCount).Select(t => biases[(t * OutFeatures)..((t + 1) * OutFeatures)]).ToArray());
    }

    /// <summary>Truncated HOSVD of W (D_in, D_out, K row-major) into the parameters; optionally keeps ‖W‖_F.</summary>
    private void SetFromTensor(double[] w, bool rescale, double[][]? biases)
    {
        var (r1, r2, r3) = Ranks;
        var (core, u1, u2, u3) = Hosvd.Truncate(w, InFeatures, OutFeatures, TaskCount, r1, r2, r3);
        if (rescale)
        {
            // Orthonormal factors: ‖Ŵ‖_F = ‖S‖_F, so scaling S restores the norm of the full draws.
            double full = Math.Sqrt(w.Sum(v => v * v)), kept = Math.Sqrt(core.Sum(v => v * v));
            if (kept > 0) for (int i = 0; i < core.Length; i++) core[i] *= full / kept;
        }
        Write(Core, core);
        Write(U1, u1);
        Write(U2, u2);
        Write(U3, u3);
        if (biases is not null) Write(Bias, biases.SelectMany(b => b).ToArray());
    }

    private static void Write(Tensor p, double[] values)
    {
        if (p.DType == DType.Float64) p.CopyFrom<double>(values);
        else p.CopyFrom<float>(values.Select(v => (float)v).ToArray());
    }

    protected override string ExtraRepr() =>
        $"in_features={InFeatures}, out_features={OutFeatures}, tasks={TaskCount}, ranks=({Ranks.Input}, {Ranks.Output}, {Ranks.Task})";
}
