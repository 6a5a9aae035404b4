// Task schedulers inside the trainer: batches mapped to tasks by their targets, lagging fed by validation, exact
// resume with a sampling scheduler, strategy fallback on partial steps, and the text model learning under temperature.
using System.Diagnostics;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Encoders;
using Mtl.MultiTask.Scheduling;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests.Scheduling;

public sealed class SchedulerTrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-sched-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static InMemoryDataset Synthetic(int count, ulong seed) =>
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = count, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = seed }).Dataset;

    // task1: 300 samples (6 batches of 50), task2: 100 samples (2 batches): a one-task-per-step epoch is 8 steps.
    private static readonly MultiInputTasks PerTask = new(("task1", Synthetic(300, 4)), ("task2", Synthetic(100, 5)));

    private static IReadOnlyDictionary<string, DataLoader> Loaders(int batch = 50) =>
        PerTask.Loaders(new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = 1 });

    // A small model with dropout, so resuming must also restore the default generator.
    private static HardSharing Model(ulong seed)
    {
        var g = new Generator(seed);
        var trunk = new Sequential(new Linear(8, 16, generator: g), new ReLU(), new Dropout(0.2), new Linear(16, 8, generator: g), new ReLU());
        return new HardSharing(trunk, 8, LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)).ToArray());
    }

    private static float[] Flat(Module m) => m.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();

    private static string StepTask(StepLog log) => Assert.Single(log.TaskLosses.Keys);

    [Fact]
    public void A_step_without_a_task_leaves_that_tasks_head_alone_even_under_adam_momentum()
    {
        var model = Model(3);
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.01, WeightDecay = 0.1 }),
            new TrainerOptions { Epochs = 1, MaxSteps = 3, RestoreBest = false });
        var head2 = new List<float[]>();
        trainer.StepCompleted += _ => head2.Add(model.Heads["task2"].Parameters().SelectMany(p => p.ToArray<float>()).ToArray());
        trainer.Fit(TrainingSource.FromTaskLoaders(Loaders(), SchedulerRegistry.Create("round-robin")));   // task1, task2, task1
        Assert.Equal(3, head2.Count);
        Assert.NotEqual(head2[0], head2[1]);   // step 2 trained task2's head…
        Assert.Equal(head2[1], head2[2]);      // …step 3 (task1 only) left it exactly where it was
    }

    [Fact]
    public void Round_robin_steps_hold_one_task_batch_mapped_to_its_task_by_its_labels()
    {
        var model = Model(3);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }), new TrainerOptions { Epochs = 2, RestoreBest = false });
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        var source = TrainingSource.FromTaskLoaders(Loaders(), SchedulerRegistry.Create("round-robin"));
        Assert.Equal(8, source.StepsPerEpoch);
        var result = trainer.Fit(source);
        Assert.Equal(16, result.Steps);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? "task1" : "task2"), logs.Select(StepTask));
        Assert.All(logs, l => Assert.Equal(50, l.Samples));
        Assert.Same(source.Scheduler, trainer.TaskScheduler);
    }

    [Fact]
    public void A_step_without_every_task_trains_the_tasks_present_with_unit_weights_under_a_strategy()
    {
        foreach (var name in new[] { "static", "pcgrad" })
        {
            var model = Model(4);
            var strategy = name == "static"
                ? StrategyRegistry.Create(name, new Mtl.MultiTask.Balancing.Strategies.StaticWeightingOptions { Weights = [0.3, 0.7] })
                : StrategyRegistry.Create(name);
            var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }),
                new TrainerOptions { Epochs = 1, RestoreBest = false }, strategy: strategy);
            var logs = new List<StepLog>();
            trainer.StepCompleted += logs.Add;
            trainer.Fit(TrainingSource.FromTaskLoaders(Loaders(), SchedulerRegistry.Create("temperature", new TemperatureOptions { Seed = 2 })));
            Assert.Equal(8, logs.Count);
            Assert.All(logs, l => Assert.Equal(1.0, Assert.Single(l.Weights).Value));
            Assert.All(logs, l => Assert.Null(l.GradientCosines));
        }
    }

    [Fact]
    public void Lagging_gives_the_steps_after_a_validation_to_the_task_below_its_reference()
    {
        var model = Model(5);
        // task1's reference MSE is tiny (it is far behind), task2's huge (it is ahead): gap₁ ≈ 1000·MSE₁, gap₂ ≈ −1.
        var reference = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["task1"] = new Dictionary<string, double> { ["mse"] = 1e-3 },
            ["task2"] = new Dictionary<string, double> { ["mse"] = 1e3 },
        };
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01 }),
            new TrainerOptions { Epochs = 3, RestoreBest = false, ReferenceMetrics = reference });
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        var lagging = (LaggingScheduler)SchedulerRegistry.Create("lagging", new LaggingOptions { Tau = 100, Seed = 3 });
        trainer.Fit(TrainingSource.FromTaskLoaders(Loaders(), lagging), TrainingSource.FromTaskLoaders(Loaders(100)));
        var perEpoch = logs.GroupBy(l => l.Epoch).Select(g => g.Count(l => StepTask(l) == "task1")).ToArray();
        output.WriteLine($"task1 steps per epoch (of 8): {string.Join(", ", perEpoch)}; gaps {string.Join(", ", lagging.Gaps)}");
        Assert.InRange(perEpoch[0], 1, 7);                            // uniform before the first validation
        Assert.Equal(8, perEpoch[1]);                                 // then p(task2) ≈ e^-10
        Assert.Equal(8, perEpoch[2]);
        Assert.True(lagging.Gaps[0] > 100 && lagging.Gaps[1] < 0, $"gaps {string.Join(", ", lagging.Gaps)}");
    }

    [Fact]
    public void Resuming_a_cancelled_run_with_a_sampling_scheduler_ends_bit_identical()
    {
        // lagging without reference metrics: uniform in epoch 0, gaps 0 after it (the first validation is the
        // reference), real gaps after epoch 1 — the run is cancelled in epoch 2, so the seed and the gaps must be restored.
        var options = new TrainerOptions { Epochs = 4, RestoreBest = false };
        ITaskScheduler Scheduler(ulong seed) => SchedulerRegistry.Create("lagging", new LaggingOptions { Tau = 0.05, Seed = seed });

        Init.ManualSeed(1);
        var reference = Model(2);
        var refTrainer = new MultiTaskTrainer(reference, new Adam(reference.Parameters(), new AdamOptions { Lr = 0.01 }), options);
        var refLogs = new List<StepLog>();
        refTrainer.StepCompleted += refLogs.Add;
        refTrainer.Fit(TrainingSource.FromTaskLoaders(Loaders(), Scheduler(9)), TrainingSource.FromTaskLoaders(Loaders(100)));
        Assert.Equal(32, refLogs.Count);

        Init.ManualSeed(1);
        var first = Model(2);
        var checkpointed = options with { CheckpointDirectory = _dir };
        var trainer = new MultiTaskTrainer(first, new Adam(first.Parameters(), new AdamOptions { Lr = 0.01 }), checkpointed);
        using var cts = new CancellationTokenSource();
        trainer.StepCompleted += s => { if (s.Step == 20) cts.Cancel(); };   // mid-epoch 2
        var stopped = trainer.Fit(TrainingSource.FromTaskLoaders(Loaders(), Scheduler(9)), TrainingSource.FromTaskLoaders(Loaders(100)), cts.Token);
        Assert.Equal(StopReason.Cancelled, stopped.Reason);

        Init.ManualSeed(12345);
        var resumed = Model(99);
        var trainer2 = new MultiTaskTrainer(resumed, new Adam(resumed.Parameters(), new AdamOptions { Lr = 0.01 }), checkpointed);
        trainer2.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
        var logs = new List<StepLog>();
        trainer2.StepCompleted += logs.Add;
        var lagging = (LaggingScheduler)Scheduler(777);                        // another seed: the checkpoint's wins
        var done = trainer2.Fit(TrainingSource.FromTaskLoaders(Loaders(), lagging), TrainingSource.FromTaskLoaders(Loaders(100)));
        Assert.Equal(32, done.Steps);
        Assert.Equal(9ul, lagging.Seed);
        Assert.Equal(refLogs.Skip(20).Select(StepTask), logs.Select(StepTask));
        Assert.Equal(refLogs.Skip(20).Select(l => l.Total), logs.Select(l => l.Total));
        Assert.Equal(Flat(reference), Flat(resumed));

        // The checkpoint belongs to per-task data with a lagging scheduler: other data or another scheduler is refused.
        var thirdModel = Model(2);
        var third = new MultiTaskTrainer(thirdModel, new Adam(thirdModel.Parameters(), new AdamOptions { Lr = 0.01 }), checkpointed);
        third.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
        Assert.Contains("'lagging'", Assert.Throws<ArgumentException>(() =>
            third.Fit(TrainingSource.FromTaskLoaders(Loaders(), SchedulerRegistry.Create("proportional")))).Message);
        third.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
        Assert.Contains("joint", Assert.Throws<ArgumentException>(() =>
            third.Fit(new DataLoader(Synthetic(100, 6), new DataLoaderOptions { BatchSize = 50 }))).Message);
    }

    /// <summary>
    /// The multi-input text model of <see cref="MultiInputTextTests"/> (shared Embedding + LSTM, sentiment on the
    /// IMDB-style fixture, topic on the AG-News-style one) trained with temperature sampling: one batch of 8 per step,
    /// p ∝ n^(1/2) over 150 reviews and 320 articles (p = 0.41 / 0.59), an epoch of 19 + 40 = 59 steps.
    /// </summary>
    [Fact]
    public void Shared_lstm_still_learns_both_text_tasks_under_temperature_sampling()
    {
        var clock = Stopwatch.StartNew();
        var (train, test, model, _) = TextTasksFixture.Build();
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.01 }),
            new TrainerOptions { Epochs = 6, RestoreBest = false });
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["sentiment"] = 0, ["topic"] = 0 };
        trainer.StepCompleted += l => counts[StepTask(l)]++;
        trainer.EpochCompleted += (epoch, r) => output.WriteLine(
            $"epoch {epoch + 1}: sentiment {r.Metrics["sentiment"]["accuracy"]:F3}, topic {r.Metrics["topic"]["accuracy"]:F3} ({clock.Elapsed.TotalSeconds:F1} s)");
        var scheduler = SchedulerRegistry.Create("temperature", new TemperatureOptions { Tau = 2, Seed = 8 });
        var result = trainer.Fit(TrainingSource.FromTaskLoaders(train.Loaders(new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 8 }), scheduler),
            TrainingSource.FromTaskLoaders(test.Loaders(new DataLoaderOptions { BatchSize = 100 })));
        output.WriteLine($"steps: sentiment {counts["sentiment"]}, topic {counts["topic"]} of {result.Steps}");

        Assert.Equal(6 * 59, result.Steps);
        // p(sentiment) = √150 / (√150 + √320) = 0.406: 144 of 354 expected, ± 3σ = ± 28.
        Assert.InRange(counts["sentiment"], 116, 172);
        // The same bar as the all-tasks schedule (0.85; it reaches 0.92-0.98 / 0.91-0.95 there) with about the same
        // number of batches per task.
        double sentiment = result.Metrics["sentiment"]["accuracy"], topic = result.Metrics["topic"]["accuracy"];
        Assert.True(sentiment >= 0.85, $"sentiment test accuracy {sentiment:F3} on 50 held-out reviews (chance 0.5, need >= 0.85)");
        Assert.True(topic >= 0.85, $"topic test accuracy {topic:F3} on 80 held-out articles (chance 0.25, need >= 0.85)");
    }
}
