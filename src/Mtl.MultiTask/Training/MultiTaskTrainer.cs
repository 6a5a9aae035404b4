// Trains a multi-task model: weighted task losses per step, validation, best-model keeping, early stopping, checkpoints.
using System.Diagnostics;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.NN.Serialization;
using Mtl.Storage;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The joint training loop. Each step minimises Σ_t λ_t·L_t (+ the architecture's auxiliary loss), with λ from the
/// tasks or a <see cref="BalancingStrategy"/> (which may instead combine the task gradients), over the tasks'
/// labelled samples — from one batch holding all tasks (joint data) or, with multi-input data, the 1..K task batches
/// the source's task scheduler picks for the step (see <see cref="TrainingSource"/>; each batch trains the tasks it
/// holds labels for, whatever its position, and a task with several batches in a step gets their mean loss). A step
/// that lacks some task trains the tasks present with unit weights when a strategy is set (strategies need all K
/// losses or gradients). After each epoch it validates, scores the result (<see cref="ModelSelection"/>),
/// keeps the best weights, steps the learning-rate schedule, writes checkpoints and stops early when asked to.
/// A NaN or infinite loss stops training with a <see cref="LossDivergedException"/> naming the task and step; the last
/// good checkpoint is left as it was. Each step runs inside a <see cref="TensorScope"/>.
/// </summary>
public sealed partial class MultiTaskTrainer
{
    /// <summary>The key under which <see cref="MultiTaskModel.AuxiliaryLoss"/> appears in <see cref="StepLog.TaskLosses"/>.</summary>
    public const string AuxiliaryLossName = "(auxiliary)";

    private readonly TrainerOptions _options;
    private readonly ModelSelection _selection;
    private StateDict? _best;
    private EvaluationResult? _bestResult;
    private int _stepInEpoch;
    private bool _stopRequested;
    private TaskGradients? _taskGradients;
    private LookaheadFeed? _lookahead;   // look-ahead strategies (Auto-Lambda): validation batches before each step

    /// <summary>
    /// A trainer for <paramref name="model"/>. Without a <paramref name="strategy"/> each step minimises Σ λₜ·Lₜ with
    /// the tasks' static <see cref="TaskSpec.Weight"/>; with one, the strategy weights the losses or combines the task
    /// gradients (see <see cref="BalancingStrategy"/>); its state is saved in checkpoints.
    /// </summary>
    public MultiTaskTrainer(MultiTaskModel model, Optimizer optimizer, TrainerOptions? options = null, LrScheduler? scheduler = null,
        BalancingStrategy? strategy = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _options = options ?? new TrainerOptions();
        _options.Validate();
        Scheduler = scheduler;
        _selection = new ModelSelection(model.Tasks, _options.ReferenceMetrics);
        Strategy = strategy;
        if (strategy is not null && _options.GradientSpace == GradientSpace.Representation)
        {
            if (!strategy.SupportsRepresentation)
                throw new ArgumentException($"strategy '{strategy.Name}' is not defined on representation gradients; use GradientSpace.SharedParameters");
            if (model is not ISharedRepresentation)
                throw new ArgumentException($"GradientSpace.Representation: {model.GetType().Name} does not expose a shared representation (ISharedRepresentation)");
        }
    }

    /// <summary>The balancing strategy (null: the tasks' static weights).</summary>
    public BalancingStrategy? Strategy { get; }

    public MultiTaskModel Model { get; }
    public Optimizer Optimizer { get; }
    public LrScheduler? Scheduler { get; }
    public TrainerOptions Options => _options;

    /// <summary>Optimisation steps taken so far (including those before a resume).</summary>
    public long Step { get; private set; }

    /// <summary>Epochs completed so far (including those before a resume).</summary>
    public int Epoch { get; private set; }

    /// <summary>The validation score, best epoch and patience counter.</summary>
    public ModelSelection Selection => _selection;

    /// <summary>The run's configuration as JSON, stored in every checkpoint (the CLI puts the resolved config here).</summary>
    public string ConfigJson { get; set; } = "{}";

    /// <summary>The checkpoint most recently written (null before the first).</summary>
    public string? LastCheckpointPath { get; private set; }

    /// <summary>Callbacks run in order at each hook.</summary>
    public List<ITrainerCallback> Callbacks { get; } = [];

    /// <summary>Called after every step (losses are already read back).</summary>
    public event Action<StepLog>? StepCompleted;

    /// <summary>Called after every epoch that had validation data, with its evaluation.</summary>
    public event Action<int, EvaluationResult>? EpochCompleted;

    /// <summary>Called after every step with the progress of the epoch (for progress bars).</summary>
    public event Action<TrainingProgress>? ProgressChanged;

    /// <summary>Asks the loop to stop after the current step (from a callback or another thread); the epoch is not finished.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Trains on one loader with all tasks' labels; see <see cref="Fit(TrainingSource, TrainingSource?, CancellationToken)"/>.</summary>
    public FitResult Fit(DataLoader train, DataLoader? validation = null, CancellationToken cancellation = default) =>
        Fit(TrainingSource.FromLoader(train), validation is null ? null : TrainingSource.FromLoader(validation), cancellation);

    /// <summary>
    /// Trains until the epoch budget, <see cref="TrainerOptions.MaxSteps"/>, early stopping, <see cref="RequestStop"/> or
    /// cancellation — continuing from where a <see cref="Resume"/> left off. On cancellation a checkpoint of the exact
    /// position (mid-epoch) is written when checkpointing is on, and the result says <see cref="StopReason.Cancelled"/>.
    /// With validation data and <see cref="TrainerOptions.RestoreBest"/>, the best epoch's weights are loaded back at the end.
    /// </summary>
    public FitResult Fit(TrainingSource train, TrainingSource? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Check(Model.Tasks, "training");
        validation?.Check(Model.Tasks, "validation");
        using var lookahead = _lookahead = LookaheadFeed.For(Strategy, validation, Model.Tasks);
        if (_options.Patience is not null && validation is null)
            throw new ArgumentException("TrainerOptions.Patience (early stopping) needs validation data");
        var clock = Stopwatch.StartNew();
        using var log = _options.MetricsLogPath is null ? null : new MetricsLog(_options.MetricsLogPath);
        var taskOrder = Model.Tasks.Select(t => t.Name).ToArray();
        _options.Distillation?.Bind(Model.Tasks, train);
        BindTaskScheduler(train.Bind(taskOrder, _options.Epochs));
        _stopRequested = false;
        EvaluationResult? last = null;
        var reason = StopReason.Completed;
        foreach (var c in Callbacks) c.OnFitStart(this);

        while (Epoch < _options.Epochs && reason == StopReason.Completed)
        {
            int epoch = Epoch;
            var epochClock = Stopwatch.StartNew();
            var lossSums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
            long samples = 0;
            Model.Train();
            try
            {
                foreach (var batches in train.Steps(epoch, _stepInEpoch, taskOrder, cancellation))
                {
                    if (_options.MaxSteps is { } max && Step >= max) { reason = StopReason.Requested; break; }
                    if (_options.AffinityEvery is { } every && Step % every == 0) MeasureAffinity(batches);
                    var stepLog = TrainStep(batches, epoch);
                    _stepInEpoch++;
                    if (stepLog is not null)
                    {
                        samples += stepLog.Samples;
                        foreach (var (task, value) in stepLog.TaskLosses)
                            lossSums[task] = lossSums.TryGetValue(task, out var s) ? (s.Sum + value, s.Count + 1) : (value, 1);
                        log?.Write(stepLog);
                        StepCompleted?.Invoke(stepLog);
                        foreach (var c in Callbacks) c.OnStep(this, stepLog);
                        ProgressChanged?.Invoke(new TrainingProgress(epoch, _options.Epochs, _stepInEpoch, train.StepsPerEpoch, Step,
                            samples / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds), stepLog.TaskLosses));
                    }
                    if (cancellation.IsCancellationRequested) { reason = StopReason.Cancelled; break; }
                    if (_stopRequested) { reason = StopReason.Requested; break; }
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { reason = StopReason.Cancelled; }

            if (reason == StopReason.Cancelled)
            {
                if (_options.CheckpointDirectory is not null) SaveCheckpoint();
                break;
            }
            if (_stepInEpoch < train.StepsPerEpoch) break;   // stopped part-way (MaxSteps or RequestStop)

            Epoch = epoch + 1;
            _stepInEpoch = 0;
            double? score = null;
            bool isBest = false;
            if (validation is not null)
            {
                last = Evaluate(validation);
                score = _selection.Score(last);
                ObserveValidation(epoch, last);
                isBest = _selection.Observe(epoch, score.Value, _options.MinDelta);
                if (isBest)
                {
                    _bestResult = last;
                    if (_options.RestoreBest || _options.CheckpointDirectory is not null) _best = Snapshot(Model.StateDict());
                }
            }
            Scheduler?.Step();
            if (_options.CheckpointDirectory is not null)
            {
                Directory.CreateDirectory(_options.CheckpointDirectory);   // best.safetensors may come before the first last.safetensors
                if (isBest) Checkpoint.Save(Path.Combine(_options.CheckpointDirectory, BestFileName), new CheckpointContent { Model = _best!, Step = Step, Epoch = Epoch, ConfigJson = ConfigJson });
                if (Epoch % _options.CheckpointEvery == 0 || Epoch == _options.Epochs) SaveCheckpoint();
            }
            var epochLog = new EpochLog(epoch, Step, lossSums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count, StringComparer.Ordinal),
                last, score, isBest, epochClock.Elapsed.TotalSeconds) { Affinity = Affinity?.ToDictionary() };
            log?.Write(epochLog);
            if (last is not null) EpochCompleted?.Invoke(epoch, last);
            foreach (var c in Callbacks) c.OnEpochEnd(this, epochLog);
            if (_options.Patience is { } patience && _selection.EpochsWithoutImprovement >= patience) reason = StopReason.EarlyStopped;
            else if (_stopRequested) reason = StopReason.Requested;
            else if (_options.MaxSteps is { } max && Step >= max) reason = StopReason.Requested;
        }
        if (reason == StopReason.Requested && _options.MaxSteps is { } m && Step >= m && !_stopRequested) reason = StopReason.Completed;

        var final = last;
        if (_options.RestoreBest && _best is not null && reason != StopReason.Cancelled)
        {
            Model.LoadStateDict(_best);
            final = _bestResult;
        }
        var result = new FitResult(last, _bestResult, _selection.BestEpoch, Epoch, Step, clock.Elapsed.TotalSeconds, reason) { Final = final };
        foreach (var c in Callbacks) c.OnFitEnd(this, result);
        return result;
    }

    private StepLog? TrainStep(IReadOnlyList<MultiTaskBatch> batches, int epoch)
    {
        using var scope = TensorScope.Begin();
        _options.Distillation?.BeginStep();
        _lookahead?.BeforeStep(Model, Optimizer, batches, Step, epoch);
        var tasks = Model.Tasks;
        var taskLosses = new Tensor?[tasks.Count];
        Tensor? auxiliary = null, representation = null;
        var values = new Dictionary<string, double>(tasks.Count + 1, StringComparer.Ordinal);
        int samples = 0;
        var batchesOf = new int[tasks.Count];   // batches giving each task a loss in this step
        for (int b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            samples += batch.Size;
            var outputs = Model.Forward(batch.Input);
            var batchTasks = BatchTasks.Of(tasks, batch);
            Dictionary<string, Tensor> losses;
            try { losses = TaskLosses.Compute(batchTasks, outputs, batch, Step + 1, _options.Distillation); }
            catch (LossDivergedException e) { throw Diverged(e.Task, e.Step, e.Value); }
            for (int t = 0; t < tasks.Count; t++)
                if (losses.TryGetValue(tasks[t].Name, out var l))
                {
                    taskLosses[t] = taskLosses[t] is { } earlier ? earlier.Add(l) : l;
                    batchesOf[t]++;
                }
            var aux = Model.AuxiliaryLoss();
            if (aux is not null) auxiliary = auxiliary is null ? aux : auxiliary.Add(aux);
            if (batches.Count == 1 && Model is ISharedRepresentation shared) representation = shared.LastRepresentation;
        }
        for (int t = 0; t < tasks.Count; t++)
        {
            if (taskLosses[t] is not { } l) continue;
            if (batchesOf[t] > 1) taskLosses[t] = l = l.MulScalar(1.0 / batchesOf[t]);   // mean over the task's batches
            values[tasks[t].Name] = l.Item();
        }
        if (taskLosses.All(l => l is null)) return null;   // no labels in these batches
        if (auxiliary is not null)
        {
            if (batches.Count > 1) auxiliary = auxiliary.MulScalar(1.0 / batches.Count);
            double a = auxiliary.Item();
            if (!double.IsFinite(a)) throw Diverged(AuxiliaryLossName, Step + 1, a);
            values[AuxiliaryLossName] = a;
        }

        bool complete = taskLosses.All(l => l is not null);
        // A step that trains only some tasks leaves the others' own parameters without a gradient (not a zero one), so
        // the optimiser skips them — no momentum drift or weight decay for absent tasks' heads (PyTorch's set_to_none).
        Optimizer.ZeroGrad(setToNone: !complete);
        var weights = new double[tasks.Count];
        // What a strategy is told: the loss values already read back above, in task order (all tasks present).
        var strategyStep = complete ? new StrategyStep(tasks.Select(t => values[t.Name]).ToArray(), Step + 1, epoch) : null;
        IReadOnlyDictionary<string, double>? cosines = null;
        if (Strategy is { NeedsGradients: true } strategy && strategyStep is not null)
        {
            cosines = GradientStep(strategy, taskLosses!, auxiliary, representation, strategyStep, weights);
        }
        else
        {
            LossWeights(strategyStep, weights);
            Tensor? total = auxiliary;
            for (int t = 0; t < tasks.Count; t++)
            {
                if (taskLosses[t] is not { } l) continue;
                var weighted = weights[t] == 1 ? l : l.MulScalar(weights[t]);
                total = total is null ? weighted : total.Add(weighted);
            }
            total!.Backward();
        }
        Optimizer.Step();
        Step++;
        double sum = auxiliary is null ? 0 : values[AuxiliaryLossName];
        var applied = new Dictionary<string, double>(tasks.Count, StringComparer.Ordinal);
        for (int t = 0; t < tasks.Count; t++)
        {
            if (taskLosses[t] is null) continue;
            applied[tasks[t].Name] = weights[t];
            sum += (double.IsNaN(weights[t]) ? 1 : weights[t]) * values[tasks[t].Name];
        }
        return new StepLog(Step, epoch, values, sum)
        {
            Weights = applied,
            LearningRate = Optimizer.ParamGroups.Count > 0 ? Optimizer.ParamGroups[0].Lr : double.NaN,
            Samples = samples,
            GradientCosines = cosines,
        };
    }

    // The loss weights of a one-backward step: the strategy's (all tasks present), the tasks' static λ (no strategy),
    // or 1 for the tasks present when a strategy is set but some task has no labelled sample in this step.
    private void LossWeights(StrategyStep? step, double[] weights)
    {
        var tasks = Model.Tasks;
        if (Strategy is null)
        {
            for (int t = 0; t < tasks.Count; t++) weights[t] = tasks[t].Weight;
            return;
        }
        if (step is null)
        {
            Array.Fill(weights, 1.0);
            return;
        }
        Strategy.LossWeights(step, weights);
    }

    // One gradient-level step: K task gradients, the strategy's combination, written into the parameters' .Grad.
    private Dictionary<string, double> GradientStep(BalancingStrategy strategy, Tensor[] taskLosses, Tensor? auxiliary, Tensor? representation,
        StrategyStep step, double[] weights)
    {
        var space = _options.GradientSpace;
        if (space == GradientSpace.Representation && representation is null)
            throw new InvalidOperationException("TrainerOptions.GradientSpace = Representation needs one joint batch per step and a model that implements ISharedRepresentation "
                + $"({Model.GetType().Name} on {(Model is ISharedRepresentation ? "per-task batches" : "any data")} does not provide it)");
        auxiliary?.Backward(retainGraph: true);
        _taskGradients ??= new TaskGradients(Model.Parameters(), space);
        _taskGradients.Compute(taskLosses, representation);
        var matrix = _taskGradients.Matrix;
        var combined = _taskGradients.Combined;
        strategy.Combine(matrix, step, combined, weights);
        foreach (var x in combined)
            if (!double.IsFinite(x))
                throw new InvalidOperationException($"strategy '{strategy.Name}' produced a non-finite combined gradient at step {Step + 1} (task losses [{string.Join(", ", step.Losses)}])");
        _taskGradients.Apply(representation);
        var cos = matrix.Cosines();
        var tasks = Model.Tasks;
        var cosines = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < tasks.Count; i++)
            for (int j = i + 1; j < tasks.Count; j++)
                cosines[$"{tasks[i].Name}|{tasks[j].Name}"] = cos[i, j];
        return cosines;
    }

    private LossDivergedException Diverged(string task, long step, double value) => new(task, step, value, LastCheckpointPath);

    /// <summary>Every task's metrics over one pass of <paramref name="loader"/>, in evaluation mode.</summary>
    public EvaluationResult Evaluate(DataLoader loader) => Evaluate(TrainingSource.FromLoader(loader));

    /// <summary>
    /// Every task's metrics over one pass of the data, in evaluation mode (the model's mode is restored afterwards).
    /// With per-task loaders, task t's metrics come from its own loader only.
    /// </summary>
    public EvaluationResult Evaluate(TrainingSource source) => Evaluator.Run(Model, source);
}
