// An ensemble of trained multi-task models with the same tasks, combined per task by averaging, voting or fitted weights.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;

namespace Mtl.MultiTask.Ensembles;

/// <summary>
/// A <see cref="MultiTaskModel"/> over N ≥ 1 trained members with the same tasks (names, kinds, output sizes), whose
/// output for each task combines the members' outputs (see <see cref="EnsembleCombination"/>). Members always run in
/// eval mode without gradients, so the ensemble is evaluated exactly like one model
/// (<c>Evaluator.Run(ensemble, source)</c>). <see cref="EnsembleCombination.Learned"/> and
/// <see cref="EnsembleCombination.Sparse"/> need weights: build them with <see cref="Fit"/> on validation data (until
/// then they use equal weights 1/M). The members are registered as sub-modules <c>members.{i}</c>; the ensemble
/// starts in eval mode (which sets its members' mode too).
/// </summary>
public sealed class ModelEnsemble : MultiTaskModel
{
    private readonly MultiTaskModel[] _members;
    private readonly TaskSpec[] _tasks;
    private readonly Dictionary<string, double[]> _weights;

    /// <summary>An ensemble of <paramref name="members"/> combined by <paramref name="combination"/> (weights 1/M until fitted or set).</summary>
    /// <exception cref="ArgumentException">No members, or a member's tasks differ from member 0's (the message names the member and task).</exception>
    public ModelEnsemble(IReadOnlyList<MultiTaskModel> members, EnsembleCombination combination = EnsembleCombination.Average)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("ModelEnsemble: no members given (need at least one trained model)");
        if (!Enum.IsDefined(combination)) throw new ArgumentException($"ModelEnsemble: unknown combination {combination}");
        for (int i = 0; i < members.Count; i++)
            if (members[i] is null) throw new ArgumentException($"ModelEnsemble: member {i} is null");
        _tasks = members[0].Tasks.ToArray();
        for (int i = 1; i < members.Count; i++) CheckSameTasks(i, members[i].Tasks);
        _members = members.ToArray();
        Combination = combination;
        _weights = _tasks.ToDictionary(t => t.Name, _ => Enumerable.Repeat(1.0 / members.Count, members.Count).ToArray(), StringComparer.Ordinal);
        RegisterModule("members", new ModuleList<MultiTaskModel>(_members));
        Eval();   // a prediction model: Evaluator restores this mode (and so the members') after a pass
    }

    /// <summary>
    /// An ensemble of <paramref name="members"/> whose weights (learned or sparse combination) are fitted on
    /// <paramref name="validation"/>: the members' validation outputs are computed once (eval mode, no gradients), then
    /// each task's weights are fitted on them (<see cref="EnsembleFitOptions"/>). Average and vote need no fitting.
    /// </summary>
    public static ModelEnsemble Fit(IReadOnlyList<MultiTaskModel> members, EnsembleCombination combination, TrainingSource validation,
        EnsembleFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var o = options ?? new EnsembleFitOptions();
        o.Validate();
        var ensemble = new ModelEnsemble(members, combination);
        if (combination is not (EnsembleCombination.Learned or EnsembleCombination.Sparse)) return ensemble;
        var samples = MemberOutputs.Collect(ensemble._members, ensemble._tasks, validation);
        foreach (var t in ensemble._tasks)
            ensemble._weights[t.Name] = combination == EnsembleCombination.Learned ? LearnedWeights.Fit(samples[t.Name], o) : SparseMixing.Fit(samples[t.Name], o);
        return ensemble;
    }

    /// <summary>The members, in order.</summary>
    public IReadOnlyList<MultiTaskModel> Members => _members;

    /// <summary>How outputs are combined.</summary>
    public EnsembleCombination Combination { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    /// <summary>
    /// Per task, one weight per member: fitted for the learned (on the simplex) and sparse (≥ 0, exact zeros for dropped
    /// members) combinations, 1/M otherwise (averaging and voting weigh members equally).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Weights =>
        _weights.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Sets the member weights of <paramref name="task"/> (one finite value ≥ 0 per member), e.g. weights fitted elsewhere.</summary>
    public void SetWeights(string task, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!_weights.ContainsKey(task)) throw new ArgumentException($"ModelEnsemble: no task '{task}' (tasks: {string.Join(", ", _weights.Keys)})");
        if (weights.Count != _members.Length)
            throw new ArgumentException($"ModelEnsemble, task '{task}': {weights.Count} weight(s) given for {_members.Length} member(s)");
        if (weights.Any(w => !(w >= 0) || double.IsInfinity(w)))
            throw new ArgumentException($"ModelEnsemble, task '{task}': weights must be finite and ≥ 0, got [{string.Join(", ", weights)}]");
        _weights[task] = weights.ToArray();
    }

    /// <summary>
    /// Each member's outputs (eval mode, no gradients; a member's own mode is restored afterwards) combined per task.
    /// Outputs are float32 tensors of the members' output shape and carry no gradient.
    /// </summary>
    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
    {
        var outputs = MemberForward(input);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            var shape = outputs[0][t.Name].Shape.ToArray();
            for (int m = 1; m < outputs.Length; m++)
                if (!outputs[m][t.Name].Shape.SequenceEqual(shape))
                    throw new ArgumentException($"ModelEnsemble, task '{t.Name}': member {m} outputs {outputs[m][t.Name].ShapeString}, member 0 {outputs[0][t.Name].ShapeString}");
            var values = outputs.Select(o => o[t.Name].ToDoubleArray()).ToArray();
            var combined = OutputMixer.Combine(t.Kind, Combination, values, shape, _weights[t.Name]);
            result[t.Name] = Tensor.From(combined.Select(v => (float)v).ToArray(), shape);
        }
        return result;
    }

    /// <summary>Every member's outputs for <paramref name="input"/>, in eval mode and without gradients.</summary>
    public IReadOnlyDictionary<string, Tensor>[] MemberForward(Tensor input)
    {
        var outputs = new IReadOnlyDictionary<string, Tensor>[_members.Length];
        using var noGrad = GradMode.NoGrad();
        for (int m = 0; m < _members.Length; m++)
        {
            var member = _members[m];
            bool training = member.Training;
            if (training) member.Eval();
            try { outputs[m] = member.Forward(input); }
            finally { if (training) member.Train(); }
            foreach (var t in _tasks)
                if (!outputs[m].ContainsKey(t.Name)) throw new ArgumentException($"ModelEnsemble: member {m} gave no output for task '{t.Name}'");
        }
        return outputs;
    }

    private void CheckSameTasks(int index, IReadOnlyList<TaskSpec> tasks)
    {
        string Names(IEnumerable<TaskSpec> ts) => string.Join(", ", ts.Select(t => t.Name));
        foreach (var t in _tasks)
        {
            var other = tasks.FirstOrDefault(x => x.Name == t.Name)
                ?? throw new ArgumentException($"ModelEnsemble: member {index} has no task '{t.Name}' (member {index} tasks: {Names(tasks)}; member 0 tasks: {Names(_tasks)})");
            if (other.Kind != t.Kind)
                throw new ArgumentException($"ModelEnsemble: member {index}, task '{t.Name}': kind {other.Kind} differs from member 0's {t.Kind}");
            if (other.OutputSize != t.OutputSize)
                throw new ArgumentException($"ModelEnsemble: member {index}, task '{t.Name}': output size {other.OutputSize} differs from member 0's {t.OutputSize}");
        }
        foreach (var t in tasks)
            if (!_tasks.Any(x => x.Name == t.Name))
                throw new ArgumentException($"ModelEnsemble: member {index} has task '{t.Name}', which member 0 does not have (member 0 tasks: {Names(_tasks)})");
    }
}
