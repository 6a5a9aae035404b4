// The training loop's contract: multi-input steps, early stopping, best-model keeping, callbacks, logs, checkpoint/resume.
using System.Text.Json;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public sealed class TrainerLoopTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static InMemoryDataset Synthetic(int count = 600, ulong seed = 3) =>
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = count, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = seed }).Dataset;

    // A small model with dropout, so resuming must also restore the default generator.
    private static HardSharing Model(ulong seed)
    {
        var g = new Generator(seed);
        var trunk = new Sequential(new Linear(8, 16, generator: g), new ReLU(), new Dropout(0.2), new Linear(16, 8, generator: g), new ReLU());
        return new HardSharing(trunk, 8, LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)).ToArray());
    }

    private static DataLoader Loader(IMultiTaskDataset data, int batch = 50, bool shuffle = true) =>
        new(data, new DataLoaderOptions { BatchSize = batch, Shuffle = shuffle, Seed = 9 });

    private static float[] Flat(Module m) => m.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();

    [Fact]
    public void Resuming_a_cancelled_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        var data = Synthetic();
        Init.ManualSeed(1);
        var reference = Model(2);
        var refTrainer = new MultiTaskTrainer(reference, new Adam(reference.Parameters(), new AdamOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 3 });
        refTrainer.Fit(Loader(data));

        Init.ManualSeed(1);
        var first = Model(2);
        var options = new TrainerOptions { Epochs = 3, CheckpointDirectory = _dir };
        var trainer = new MultiTaskTrainer(first, new Adam(first.Parameters(), new AdamOptions { Lr = 0.01 }), options);
        using var cts = new CancellationTokenSource();
        trainer.StepCompleted += s => { if (s.Step == 17) cts.Cancel(); };   // mid-epoch 1 (12 steps per epoch)
        var stopped = trainer.Fit(Loader(data), cancellation: cts.Token);
        Assert.Equal(StopReason.Cancelled, stopped.Reason);
        Assert.Equal(17, stopped.Steps);
        Assert.True(File.Exists(Path.Combine(_dir, MultiTaskTrainer.LastFileName)));

        Init.ManualSeed(12345);   // a different generator state, which the checkpoint must overwrite
        var resumed = Model(99);
        var trainer2 = new MultiTaskTrainer(resumed, new Adam(resumed.Parameters(), new AdamOptions { Lr = 0.01 }), options);
        trainer2.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
        Assert.Equal(17, trainer2.Step);
        var done = trainer2.Fit(Loader(data));
        Assert.Equal(36, done.Steps);
        Assert.Equal(Flat(reference), Flat(resumed));
    }

    [Fact]
    public void Multi_input_steps_take_one_batch_per_task_and_cycle_the_shorter_loader()
    {
        var a = Synthetic(300, 4);
        var b = Synthetic(100, 5);
        var perTask = new MultiInputTasks(("task1", a), ("task2", b));
        var model = Model(3);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 2, RestoreBest = false });
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        var loaders = perTask.Loaders(new DataLoaderOptions { BatchSize = 50, Shuffle = true, Seed = 1 });
        var result = trainer.Fit(TrainingSource.FromTaskLoaders(loaders), TrainingSource.FromTaskLoaders(loaders));
        Assert.Equal(12, result.Steps);                     // max(6, 2) steps per epoch
        Assert.All(logs, l => Assert.Equal(100, l.Samples));
        Assert.All(logs, l => Assert.Equal(new[] { "task1", "task2" }, l.TaskLosses.Keys.Order().ToArray()));
        Assert.True(result.Last!.Metrics["task2"]["mse"] > 0);
    }

    [Fact]
    public void Early_stopping_and_best_model_keeping_follow_the_validation_score()
    {
        var data = Synthetic();
        var model = Model(4);
        // lr 0 never improves: epoch 0 is the best, patience 2 stops after epoch 2.
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0 }), new TrainerOptions { Epochs = 10, Patience = 2 });
        var r = trainer.Fit(Loader(data), Loader(data, 200, false));
        Assert.Equal(StopReason.EarlyStopped, r.Reason);
        Assert.Equal(3, r.Epochs);
        Assert.Equal(0, r.BestEpoch);

        var model2 = Model(5);
        var scores = new List<(int Epoch, EvaluationResult Result)>();
        var trainer2 = new MultiTaskTrainer(model2, new SGD(model2.Parameters(), new SGDOptions { Lr = 0.3, Momentum = 0.9 }), new TrainerOptions { Epochs = 6 });
        trainer2.EpochCompleted += (e, res) => scores.Add((e, res));
        var val = Loader(data, 200, false);
        var r2 = trainer2.Fit(Loader(data), val);
        var firstEpoch = new ModelSelection(model2.Tasks, scores[0].Result.Metrics);
        var best = scores.MaxBy(s => firstEpoch.Score(s.Result));
        Assert.Equal(6, scores.Count);
        Assert.Equal(best.Epoch, r2.BestEpoch);
        model2.Eval();
        var now = trainer2.Evaluate(val);
        Assert.Equal(best.Result.Metrics["task1"]["mse"], now.Metrics["task1"]["mse"], 6);
        Assert.Equal(r2.Best!.Metrics["task2"]["mse"], r2.Metrics["task2"]["mse"]);
    }

    [Fact]
    public void The_best_checkpoint_is_written_into_a_checkpoint_folder_that_does_not_exist_yet()
    {
        var model = Model(6);
        var folder = Path.Combine(_dir, "not", "yet");
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 1, CheckpointDirectory = folder });
        trainer.Fit(Loader(Synthetic(200)), Loader(Synthetic(100, 4), 100, false));
        Assert.True(File.Exists(Path.Combine(folder, MultiTaskTrainer.BestFileName)));
        Assert.True(File.Exists(Path.Combine(folder, MultiTaskTrainer.LastFileName)));
    }

    [Fact]
    public void Callbacks_stop_the_loop_and_the_metrics_log_has_a_line_per_step_and_epoch()
    {
        var data = Synthetic();
        var model = Model(6);
        string log = Path.Combine(_dir, "metrics.jsonl");
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 2, MetricsLogPath = log });
        var full = trainer.Fit(Loader(data), Loader(data, 300, false));
        Assert.Equal(StopReason.Completed, full.Reason);
        var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(24, lines.Count(l => l.GetProperty("type").GetString() == "step"));
        var epochs = lines.Where(l => l.GetProperty("type").GetString() == "epoch").ToList();
        Assert.Equal(2, epochs.Count);
        Assert.True(epochs[1].GetProperty("val").GetProperty("task1").GetProperty("mse").GetDouble() > 0);

        var model2 = Model(7);
        var trainer2 = new MultiTaskTrainer(model2, new SGD(model2.Parameters(), new SGDOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 5 });
        trainer2.Callbacks.Add(new StopAt(5));
        var r = trainer2.Fit(Loader(data));
        Assert.Equal(StopReason.Requested, r.Reason);
        Assert.Equal(5, r.Steps);
        Assert.Equal(0, r.Epochs);
    }

    private sealed class StopAt(long step) : ITrainerCallback
    {
        public void OnStep(MultiTaskTrainer trainer, StepLog log) { if (log.Step == step) trainer.RequestStop(); }
    }

    [Fact]
    public void Divergence_keeps_the_last_good_checkpoint_and_names_task_and_step()
    {
        var data = Synthetic();
        var model = Model(8);
        var opt = new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 });
        var trainer = new MultiTaskTrainer(model, opt, new TrainerOptions { Epochs = 3, CheckpointDirectory = _dir });
        trainer.Callbacks.Add(new ExplodeAfterFirstEpoch(opt));
        string last = Path.Combine(_dir, MultiTaskTrainer.LastFileName);
        var e = Assert.Throws<LossDivergedException>(() => trainer.Fit(Loader(data)));
        Assert.Contains(e.Task, LearningHarness.SyntheticTasks);
        Assert.True(e.Step > 12);
        Assert.Contains(last, e.Message);
        var kept = Mtl.NN.Serialization.Checkpoint.Load(last);
        Assert.Equal(1, kept.Epoch);
        Assert.Equal(12, kept.Step);
    }

    private sealed class ExplodeAfterFirstEpoch(Optimizer opt) : ITrainerCallback
    {
        public void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log) { foreach (var g in opt.ParamGroups) g.Lr = 1e12; }
    }

    [Fact]
    public void Data_for_unknown_or_missing_tasks_is_refused_with_the_task_named()
    {
        var data = Synthetic(100);
        var model = Model(9);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }));
        var extra = new Dictionary<string, DataLoader> { ["task1"] = Loader(data), ["task2"] = Loader(data), ["task3"] = Loader(data) };
        Assert.Contains("'task3'", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingSource.FromTaskLoaders(extra))).Message);
        var missing = new Dictionary<string, DataLoader> { ["task1"] = Loader(data) };
        Assert.Contains("'task2'", Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingSource.FromTaskLoaders(missing))).Message);
        var other = new HardSharing(new Linear(8, 4), 4, [new TaskSpec("price", TaskKind.Regression, 1)]);
        var t2 = new MultiTaskTrainer(other, new SGD(other.Parameters(), new SGDOptions { Lr = 0.01 }));
        Assert.Contains("'price'", Assert.Throws<ArgumentException>(() => t2.Fit(Loader(data))).Message);
        Assert.Contains("Patience", Assert.Throws<ArgumentException>(() =>
            new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }), new TrainerOptions { Patience = 1 }).Fit(Loader(data))).Message);
    }
}

public class TaskOutputCheckTests
{
    private sealed class WrongWidth : MultiTaskModel
    {
        private readonly Mtl.MultiTask.Tasks.TaskSpec[] _tasks = [new("digit", Mtl.MultiTask.Tasks.TaskKind.Classification, 10)];
        private readonly Linear _layer;
        public WrongWidth() => _layer = RegisterModule("layer", new Linear(4, 7));
        public override IReadOnlyList<Mtl.MultiTask.Tasks.TaskSpec> Tasks => _tasks;
        public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input) => new Dictionary<string, Tensor> { ["digit"] = _layer.Forward(input) };
    }

    [Fact]
    public void An_output_that_does_not_fit_the_task_is_refused_naming_task_and_shapes()
    {
        var data = new InMemoryDataset([4], new float[8 * 4], LabelColumn.Classes("digit", 10, new int[8]));
        var model = new WrongWidth();
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.1 }));
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(new DataLoader(data, new DataLoaderOptions { BatchSize = 8 })));
        Assert.Contains("task 'digit'", e.Message);
        Assert.Contains("(8, 7)", e.Message);
        Assert.Contains("10 outputs", e.Message);
    }
}
