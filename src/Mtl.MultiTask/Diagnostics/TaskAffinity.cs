// Look-ahead inter-task affinity (Fifty et al. 2021, TAG): how a step on task i's loss changes task j's loss.
using System.Globalization;
using System.Text.Json;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.Storage;

namespace Mtl.MultiTask.Diagnostics;

/// <summary>
/// Measures the inter-task affinity of Fifty, Amid, Zhao, Yu, Anil and Finn, "Efficiently Identifying Task Groupings
/// for Multi-Task Learning", NeurIPS 2021 (TAG):
/// Z_{i→j} = 1 − L_j(X, θₛ − η∇_{θₛ}L_i, θ_j) / L_j(X, θₛ, θ_j),
/// the relative drop of task j's loss on the same batch X after a plain gradient step of size η on task i's loss,
/// taken on the shared parameters θₛ only. Positive: i's step helps j; negative: it hurts j. The diagonal Z_{i→i} is
/// the step's effect on its own task. <see cref="Measure"/> adds one step's Z to a running mean per pair
/// (<see cref="Matrix"/>), TAG's average over training.
/// <para>θₛ are the parameters two or more tasks' outputs reach (found once on the first measurement, as the
/// gradient-level strategies find theirs); task-specific parameters do not move. Each measurement costs one forward
/// and K backward passes plus K look-ahead forwards without gradients. The model is left exactly as found: the shared
/// parameters are copied back, buffers (batch-norm statistics) restored, and the default generator reset to its state
/// before the measurement — each look-ahead forward starts from that state too, so dropout draws the same masks in all
/// forwards and Z reflects the parameter change only (an architecture with its own generator, such as the Gumbel
/// noise of <c>ltb</c>, advances it in every forward). The architecture's auxiliary loss is not part of L.</para>
/// <para>Multi-input steps: task j's loss comes from the batches labelled for j (their mean when several); a pair is
/// measured only on steps holding both tasks, and each entry is averaged over its own steps. A pair whose loss
/// before the step is not positive, or whose look-ahead loss is not finite, is skipped on that step.</para>
/// </summary>
public sealed class TaskAffinity : IStateful
{
    private readonly MultiTaskModel _model;
    private readonly Tensor[] _parameters;
    private readonly string[] _parameterNames;
    private readonly string[] _tasks;
    private readonly double[,] _sum;
    private readonly long[,] _count;
    private bool[]? _shared;

    /// <summary>An affinity meter for <paramref name="model"/>'s tasks (in model order).</summary>
    public TaskAffinity(MultiTaskModel model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        var named = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToArray();
        _parameters = named.Select(p => p.Parameter).ToArray();
        _parameterNames = named.Select(p => p.Name).ToArray();
        _tasks = model.Tasks.Select(t => t.Name).ToArray();
        if (_tasks.Length == 0) throw new ArgumentException("TaskAffinity: the model has no tasks");
        _sum = new double[_tasks.Length, _tasks.Length];
        _count = new long[_tasks.Length, _tasks.Length];
    }

    /// <summary>The tasks, in model order (rows and columns of the matrices).</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Steps measured so far (steps where at least one pair was measured).</summary>
    public long Measurements { get; private set; }

    /// <summary>The names of the shared parameters θₛ (empty before the first measurement).</summary>
    public IReadOnlyList<string> SharedParameters =>
        _shared is null ? [] : _parameterNames.Where((_, i) => _shared[i]).ToArray();

    /// <summary>The mean Z_{i→j} over the measured steps; NaN for pairs never measured.</summary>
    public AffinityMatrix Matrix
    {
        get
        {
            int k = _tasks.Length;
            var mean = new double[k, k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    mean[i, j] = _count[i, j] > 0 ? _sum[i, j] / _count[i, j] : double.NaN;
            return new AffinityMatrix(_tasks, mean);
        }
    }

    /// <summary>Forgets every measurement (the shared parameters found stay known).</summary>
    public void Reset()
    {
        Array.Clear(_sum);
        Array.Clear(_count);
        Measurements = 0;
    }

    /// <summary>
    /// Measures Z on one step's <paramref name="batches"/> (a joint batch, or per-task batches) with look-ahead step size
    /// <paramref name="learningRate"/> (η, the trainer's current learning rate), adds it to the running mean and returns
    /// this step's matrix (NaN for pairs not measured). Runs in the model's current mode (train/eval).
    /// </summary>
    public AffinityMatrix Measure(IReadOnlyList<MultiTaskBatch> batches, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("TaskAffinity: no batches given");
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "TaskAffinity: the look-ahead learning rate must be finite and ≥ 0");
        int k = _tasks.Length;
        var z = new double[k, k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) z[i, j] = double.NaN;

        using var scope = TensorScope.Begin();
        var generator = Init.DefaultGenerator;
        var rng = generator.GetState();
        var buffers = _model.NamedBuffers().Select(b => b.Buffer).ToArray();
        Tensor[] savedBuffers, shared, original;
        using (GradMode.NoGrad()) savedBuffers = buffers.Select(b => b.Clone()).ToArray();
        try
        {
            using var grad = GradMode.EnableGrad();
            var losses = Losses(batches, findShared: _shared is null);
            shared = _parameters.Where((_, i) => _shared![i]).ToArray();
            var present = Enumerable.Range(0, k).Where(t => losses[t] is not null).ToArray();
            if (present.Length == 0) return new AffinityMatrix(_tasks, z);
            var before = present.Select(t => losses[t]!.Item()).ToArray();
            var gradients = Training.SharedParameters.Gradients(present.Select(t => losses[t]!).ToArray(), shared);
            using (GradMode.NoGrad()) original = shared.Select(p => p.Clone()).ToArray();
            try
            {
                using var noGrad = GradMode.NoGrad();
                for (int a = 0; a < present.Length; a++)
                {
                    for (int q = 0; q < shared.Length; q++) Step(shared[q], original[q], gradients[a][q], learningRate);
                    Restore(buffers, savedBuffers);
                    generator.SetState(rng);
                    Tensor?[] after;
                    try { after = Losses(batches, findShared: false); }
                    catch (LossDivergedException) { continue; }   // the look-ahead diverged: this row is not measured
                    for (int b = 0; b < present.Length; b++)
                    {
                        double l = after[present[b]]?.Item() ?? double.NaN;
                        if (before[b] > 0 && double.IsFinite(l)) z[present[a], present[b]] = 1 - l / before[b];
                    }
                }
            }
            finally
            {
                using var noGrad = GradMode.NoGrad();
                for (int q = 0; q < shared.Length; q++) shared[q].CopyFrom(original[q]);
            }
        }
        finally
        {
            using (GradMode.NoGrad()) Restore(buffers, savedBuffers);
            generator.SetState(rng);
        }

        bool any = false;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (!double.IsNaN(z[i, j]))
                {
                    _sum[i, j] += z[i, j];
                    _count[i, j]++;
                    any = true;
                }
        if (any) Measurements++;
        return new AffinityMatrix(_tasks, z);
    }

    // Each task's loss over the batches labelled for it (mean over several); null for tasks without labels here. On the
    // first call, also finds the shared parameters from the reach of each task's output.
    private Tensor?[] Losses(IReadOnlyList<MultiTaskBatch> batches, bool findShared)
    {
        var tasks = _model.Tasks;
        var losses = new Tensor?[tasks.Count];
        var counts = new int[tasks.Count];
        foreach (var batch in batches)
        {
            var outputs = _model.Forward(batch.Input);
            if (findShared)
            {
                FindShared(outputs);
                findShared = false;
            }
            var perTask = TaskLosses.Compute(BatchTasks.Of(tasks, batch), outputs, batch, 0);
            for (int t = 0; t < tasks.Count; t++)
                if (perTask.TryGetValue(tasks[t].Name, out var l))
                {
                    losses[t] = losses[t] is { } earlier ? earlier.Add(l) : l;
                    counts[t]++;
                }
        }
        for (int t = 0; t < tasks.Count; t++)
            if (counts[t] > 1) losses[t] = losses[t]!.MulScalar(1.0 / counts[t]);
        return losses;
    }

    private void FindShared(IReadOnlyDictionary<string, Tensor> outputs)
    {
        var roots = _tasks.Select(t => outputs.TryGetValue(t, out var o) ? o.Sum()
            : throw new ArgumentException($"task '{t}': the model produced no output for it (outputs: {string.Join(", ", outputs.Keys)})")).ToArray();
        var grads = Training.SharedParameters.Gradients(roots, _parameters, retainLast: true);
        var mask = Training.SharedParameters.Mask(grads, _parameters.Length);
        if (!mask.Any(s => s))
            throw new InvalidOperationException($"TaskAffinity: no parameter of {_model.GetType().Name} is reached by two or more tasks, so no step on one task can change another's loss");
        _shared = mask;
    }

    // p ← θ − η·g (θ the saved value); a parameter task i does not reach keeps θ.
    private static void Step(Tensor p, Tensor theta, Tensor? g, double lr)
    {
        if (g is null)
        {
            p.CopyFrom(theta);
            return;
        }
        var gc = g.Contiguous();
        if (p.DType == DType.Float32)
        {
            var t = theta.ToArray<float>();
            var gs = gc.ToArray<float>();
            for (int i = 0; i < t.Length; i++) t[i] = (float)(t[i] - lr * gs[i]);
            p.CopyFrom<float>(t);
        }
        else
        {
            var t = theta.ToArray<double>();
            var gs = gc.ToArray<double>();
            for (int i = 0; i < t.Length; i++) t[i] -= lr * gs[i];
            p.CopyFrom<double>(t);
        }
    }

    private static void Restore(Tensor[] buffers, Tensor[] saved)
    {
        for (int i = 0; i < buffers.Length; i++) buffers[i].CopyFrom(saved[i]);
    }

    /// <inheritdoc/>
    public StateDict StateDict()
    {
        var s = new StateDict();
        s.Values["tasks"] = JsonSerializer.Serialize(_tasks);
        s.Values["measurements"] = Measurements.ToString(CultureInfo.InvariantCulture);
        s.Values["sum"] = string.Join(",", _sum.Cast<double>().Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        s.Values["count"] = string.Join(",", _count.Cast<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)));
        return s;
    }

    /// <inheritdoc/>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string Get(string key) => state.Values.TryGetValue(key, out var v) ? v
            : throw new ArgumentException($"task affinity: state '{key}' is missing");
        var tasks = JsonSerializer.Deserialize<string[]>(Get("tasks")) ?? [];
        if (!tasks.SequenceEqual(_tasks, StringComparer.Ordinal))
            throw new ArgumentException($"task affinity: the saved state is for tasks [{string.Join(", ", tasks)}], the model has [{string.Join(", ", _tasks)}]");
        int k = _tasks.Length;
        var sum = Get("sum").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var count = Get("count").Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (sum.Length != k * k || count.Length != k * k)
            throw new ArgumentException($"task affinity: the saved sums have {sum.Length} and {count.Length} values, expected {k * k}");
        long measurements = long.Parse(Get("measurements"), CultureInfo.InvariantCulture);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                _sum[i, j] = sum[i * k + j];
                _count[i, j] = count[i * k + j];
            }
        Measurements = measurements;
    }
}
