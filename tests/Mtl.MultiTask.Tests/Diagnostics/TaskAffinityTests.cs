// Task affinity on a hand-built model whose signs are known, in the trainer, and TAG's grouping on hand-made matrices.
using System.Text.Json;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Diagnostics;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests.Diagnostics;

public sealed class TaskAffinityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-affinity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// Three regression tasks read one shared scalar w: ŷₜ = w·x + cₜ (cₜ a task's own bias). With x = 1, w = c = 0 and
    /// targets A = 2, B = 3, C = −1, a step on A moves w up, towards B's target (helps B) and away from C's (hurts C).
    /// </summary>
    private sealed class SharedScalar : MultiTaskModel
    {
        private readonly TaskSpec[] _tasks = new[] { "a", "b", "c" }.Select(n => new TaskSpec(n, TaskKind.Regression, 1)).ToArray();
        private readonly Tensor _w;
        private readonly Tensor[] _bias;

        public SharedScalar()
        {
            _w = RegisterParameter("w", Tensor.Zeros([1, 1]))!;
            _bias = _tasks.Select(t => RegisterParameter("bias_" + t.Name, Tensor.Zeros([1]))!).ToArray();
        }

        public override IReadOnlyList<TaskSpec> Tasks => _tasks;

        public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
        {
            var shared = input.MatMul(_w);                                                      // (B, 1)
            return Enumerable.Range(0, 3).ToDictionary(t => _tasks[t].Name, t => shared.Add(_bias[t]));
        }
    }

    private static IMultiTaskDataset Targets(int n = 4) => new InMemoryDataset([1], Enumerable.Repeat(1f, n).ToArray(),
        LabelColumn.Vectors("a", 1, Enumerable.Repeat(2f, n).ToArray()),
        LabelColumn.Vectors("b", 1, Enumerable.Repeat(3f, n).ToArray()),
        LabelColumn.Vectors("c", 1, Enumerable.Repeat(-1f, n).ToArray()));

    private static MultiTaskBatch[] OneBatch(IMultiTaskDataset data)
    {
        var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = data.Count, KeepBatches = 1 });
        return [BatchCopy.CopyUnscoped(loader.Epoch(0).Single())];
    }

    [Fact]
    public void A_step_on_a_helps_b_and_hurts_c_with_the_hand_computed_values()
    {
        var model = new SharedScalar();
        var before = model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        var affinity = new TaskAffinity(model);
        var z = affinity.Measure(OneBatch(Targets()), learningRate: 0.1);
        output.WriteLine(z.ToString());

        // ∂L/∂w at w = 0 with L = (w − y)²: −4 (a), −6 (b), +2 (c); η = 0.1 moves w to 0.4, 0.6, −0.2.
        // Z_{i→j} = 1 − (w_i − y_j)² / y_j².
        double[] y = [2, 3, -1], w = [0.4, 0.6, -0.2];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(1 - (w[i] - y[j]) * (w[i] - y[j]) / (y[j] * y[j]), z[i, j], 5);
        Assert.True(z["a", "b"] > 0, "a's step must help b");
        Assert.True(z["a", "c"] < 0, "a's step must hurt c");
        Assert.True(z["c", "a"] < 0 && z["c", "b"] < 0, "c's step must hurt a and b");
        Assert.Equal(["w"], affinity.SharedParameters);               // the biases belong to one task each
        Assert.Equal(before, model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray());   // left as found
        Assert.Equal(1, affinity.Measurements);
        Assert.Equal(z.ToArray(), affinity.Matrix.ToArray());

        // η = 0 changes nothing: Z = 0 exactly; the running mean halves the first step's values.
        var zero = affinity.Measure(OneBatch(Targets()), learningRate: 0);
        Assert.All(zero.ToArray().Cast<double>(), v => Assert.Equal(0.0, v));
        Assert.Equal(z[0, 1] / 2, affinity.Matrix[0, 1], 12);
    }

    [Fact]
    public void Per_task_batches_measure_only_the_pairs_present_and_a_task_is_found_by_its_labels()
    {
        var perTask = new MultiInputTasks(("a", Targets()), ("b", Targets()), ("c", Targets()));
        MultiTaskBatch Batch(string task) =>
            BatchCopy.CopyUnscoped(new DataLoader(perTask.For(task), new DataLoaderOptions { BatchSize = 4 }).Epoch(0).Single());
        var affinity = new TaskAffinity(new SharedScalar());
        var z = affinity.Measure([Batch("c"), Batch("a")], learningRate: 0.1);   // order does not matter; b is absent
        Assert.Equal(1 - (0.4 + 1) * (0.4 + 1) / 1, z["a", "c"], 5);
        Assert.Equal(1 - (-0.2 - 2) * (-0.2 - 2) / 4, z["c", "a"], 5);
        Assert.True(double.IsNaN(z["a", "b"]) && double.IsNaN(z["b", "c"]) && double.IsNaN(z["b", "b"]));
        Assert.True(double.IsNaN(affinity.Matrix["b", "a"]));
    }

    private static InMemoryDataset Synthetic(int count = 240, ulong seed = 5) =>
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = count, Dim = 8, Correlation = 0.5, SinTerms = 1, Seed = seed }).Dataset;

    private static HardSharing DropoutModel(ulong seed)
    {
        var g = new Generator(seed);
        var trunk = new Sequential(new Linear(8, 16, generator: g), new ReLU(), new Dropout(0.2), new Linear(16, 8, generator: g), new ReLU());
        return new HardSharing(trunk, 8, LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)).ToArray());
    }

    private static float[] Flat(Module m) => m.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();

    private (float[] Parameters, AffinityMatrix? Affinity, List<long> Steps) Train(int? every, string? log = null, string? checkpoints = null)
    {
        Init.ManualSeed(1);
        var model = DropoutModel(2);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 2, AffinityEvery = every, MetricsLogPath = log, CheckpointDirectory = checkpoints });
        var steps = new List<long>();
        trainer.AffinityMeasured += (step, _) => steps.Add(step);
        trainer.Fit(new DataLoader(Synthetic(), new DataLoaderOptions { BatchSize = 40, Shuffle = true, Seed = 3 }));
        return (Flat(model), trainer.Affinity, steps);
    }

    [Fact]
    public void Measuring_during_training_leaves_training_unchanged_is_deterministic_and_is_logged_per_epoch()
    {
        var plain = Train(every: null);
        Assert.Null(plain.Affinity);
        string log = Path.Combine(_dir, "metrics.jsonl");
        var measured = Train(every: 4, log, _dir);
        var again = Train(every: 4);
        Assert.Equal(plain.Parameters, measured.Parameters);          // bit for bit, dropout included
        Assert.Equal([1L, 5, 9], measured.Steps);                     // 6 steps per epoch, 12 in all: steps 1, 5, 9
        Assert.Equal(measured.Affinity!.ToArray(), again.Affinity!.ToArray());
        output.WriteLine(measured.Affinity.ToString());
        Assert.All(measured.Affinity.ToArray().Cast<double>(), v => Assert.True(double.IsFinite(v)));
        Assert.True(measured.Affinity["task1", "task1"] > 0, "a step on a task lowers its own loss");

        var epochs = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.GetProperty("type").GetString() == "epoch").ToList();
        Assert.Equal(2, epochs.Count);
        Assert.Equal(measured.Affinity["task1", "task2"], epochs[1].GetProperty("affinity").GetProperty("task1").GetProperty("task2").GetDouble());

        // The accumulators are part of the checkpoint.
        var model = DropoutModel(2);
        var resumed = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }), new TrainerOptions { Epochs = 2, AffinityEvery = 4 });
        resumed.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
        Assert.Equal(measured.Affinity.ToArray(), resumed.Affinity!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiTaskTrainer(model, new SGD(model.Parameters()), new TrainerOptions { AffinityEvery = 0 }));
    }

    [Fact]
    public void A_model_whose_tasks_share_nothing_is_refused()
    {
        var model = new HardSharing(new Sequential(), 1, [new TaskSpec("a", TaskKind.Regression, 1), new TaskSpec("b", TaskKind.Regression, 1)]);
        var data = new InMemoryDataset([1], [1f, 1f], LabelColumn.Vectors("a", 1, [1f, 1f]), LabelColumn.Vectors("b", 1, [1f, 1f]));
        var e = Assert.Throws<InvalidOperationException>(() => new TaskAffinity(model).Measure(OneBatch(data), 0.1));
        Assert.Contains("two or more tasks", e.Message);
    }
}

public class TaskGroupingTests
{
    private static AffinityMatrix Matrix(string[] tasks, double[,] z) => new(tasks, z);

    // a and b help each other, c and d help each other, every cross pair hurts.
    private static readonly double[,] TwoClusters =
    {
        //  onto: a     b     c     d
        { 0.9, 0.5, -0.3, -0.2 },   // from a
        { 0.4, 0.9, -0.2, -0.3 },   // from b
        { -0.3, -0.1, 0.9, 0.6 },   // from c
        { -0.2, -0.3, 0.3, 0.9 },   // from d
    };

    [Fact]
    public void Two_clusters_are_found_and_more_groups_than_needed_are_not_used()
    {
        var m = Matrix(["a", "b", "c", "d"], TwoClusters);
        var two = TaskGrouping.Suggest(m, 2);
        Assert.Equal([["a", "b"], ["c", "d"]], two.Groups.Select(g => g.ToArray()).ToArray());
        // score: onto a from b 0.4, onto b from a 0.5, onto c from d 0.3, onto d from c 0.6.
        Assert.Equal(1.8, two.Score, 12);
        Assert.Equal(0.6, two.TaskScores["d"], 12);
        Assert.Equal("{a, b} {c, d} (score 1.8000)", two.ToString());
        Assert.Equal(two.Groups, TaskGrouping.Suggest(m, 4).Groups);  // splitting further only loses the transfer
        var one = TaskGrouping.Suggest(m, 1);
        Assert.Equal(["a", "b", "c", "d"], Assert.Single(one.Groups));
        // onto a: (0.4 − 0.3 − 0.2)/3, onto b: (0.5 − 0.1 − 0.3)/3, onto c: (−0.3 − 0.2 + 0.3)/3, onto d: (−0.2 − 0.3 + 0.6)/3
        Assert.Equal((-0.1 + 0.1 - 0.2 + 0.1) / 3, one.Score, 12);
    }

    [Fact]
    public void A_task_everyone_hurts_is_left_alone()
    {
        var m = Matrix(["a", "b", "c"], new double[,]
        {
            { 1, 0.2, -0.5 },
            { 0.3, 1, -0.4 },
            { 0.1, 0.1, 1 },
        });
        var g = TaskGrouping.Suggest(m, 3);
        Assert.Equal([["a", "b"], ["c"]], g.Groups.Select(x => x.ToArray()).ToArray());
        Assert.Equal(0.0, g.TaskScores["c"]);
        Assert.Equal(0.5, g.Score, 12);
    }

    [Fact]
    public void Grouping_is_deterministic_and_refuses_what_it_cannot_do()
    {
        var g = new Generator(4);
        var names = Enumerable.Range(0, 8).Select(i => "t" + i).ToArray();
        var z = new double[8, 8];
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) z[i, j] = g.NextDouble() - 0.5;
        var a = TaskGrouping.Suggest(Matrix(names, z), 3);
        var b = TaskGrouping.Suggest(Matrix(names, z), 3);
        Assert.Equal(a.Groups, b.Groups);
        Assert.True(a.Groups.Count <= 3);
        Assert.Equal(names, a.Groups.SelectMany(x => x).Order(StringComparer.Ordinal));

        Assert.Contains("at most 8", Assert.Throws<ArgumentException>(() =>
            TaskGrouping.Suggest(Matrix(Enumerable.Range(0, 9).Select(i => "t" + i).ToArray(), new double[9, 9]), 2)).Message);
        var missing = new double[,] { { 0, double.NaN }, { 0.1, 0 } };
        Assert.Contains("'a' onto 'b'", Assert.Throws<ArgumentException>(() => TaskGrouping.Suggest(Matrix(["a", "b"], missing), 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskGrouping.Suggest(Matrix(["a", "b"], new double[2, 2]), 0));
    }
}
