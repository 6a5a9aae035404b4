// Auto-Lambda: the finite-difference meta-gradient against a direct numerical derivative (float64), learning to drop
// a pure-noise task, the trainer hook (validation required, exact resume) and standalone use.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public sealed class AutoLambdaTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-autolambda-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A float64 two-task model: h = tanh(x·Wᵀ) (B, 3), one linear head per task (B, 1).</summary>
    private sealed class TinyModel : MultiTaskModel
    {
        private readonly TaskSpec[] _tasks = [new("a", TaskKind.Regression, 1), new("b", TaskKind.Regression, 1)];
        private readonly Tensor _w, _ha, _hb;

        public TinyModel(Generator g)
        {
            _w = RegisterParameter("w", Tensor.From(Normal(g, 6), 3, 2))!;
            _ha = RegisterParameter("ha", Tensor.From(Normal(g, 3), 1, 3))!;
            _hb = RegisterParameter("hb", Tensor.From(Normal(g, 3), 1, 3))!;
        }

        public override IReadOnlyList<TaskSpec> Tasks => _tasks;

        public override IReadOnlyDictionary<string, Tensor> Forward(Tensor x)
        {
            var h = x.Linear(_w).Tanh();   // (B, 3)
            return new Dictionary<string, Tensor> { ["a"] = h.Linear(_ha), ["b"] = h.Linear(_hb) };
        }

        private static double[] Normal(Generator g, int n) => Enumerable.Range(0, n).Select(_ => g.NextNormal()).ToArray();
    }

    // A joint float64 batch of B samples with 2 features and targets for "a" and "b".
    private static MultiTaskBatch Batch(Generator g, int b)
    {
        var x = Enumerable.Range(0, 2 * b).Select(_ => g.NextNormal()).ToArray();
        Tensor Target() => Tensor.From(Enumerable.Range(0, b).Select(_ => g.NextNormal()).ToArray(), b, 1);
        var ones = Tensor.From(Enumerable.Repeat(1f, b).ToArray(), b);
        return new MultiTaskBatch(Tensor.From(x, b, 2), new Dictionary<string, Tensor> { ["a"] = Target(), ["b"] = Target() },
            new Dictionary<string, Tensor> { ["a"] = ones, ["b"] = ones }, null, Enumerable.Range(0, b).ToArray());
    }

    [Fact]
    public void The_finite_difference_meta_gradient_matches_a_direct_numerical_derivative()
    {
        var g = new Generator(5);
        var model = new TinyModel(g);
        var context = new LookaheadContext(model, [Batch(g, 6)], [Batch(g, 5)], learningRate: 0.3);
        var strategy = new AutoLambda(new AutoLambdaOptions { InitialWeight = 0.7 });
        var parameters = model.Parameters().ToArray();
        var before = parameters.Select(p => p.ToArray<double>()).ToArray();

        var meta = strategy.MetaGradient(context);

        // The model is left exactly as found.
        for (int i = 0; i < parameters.Length; i++) Assert.Equal(before[i], parameters[i].ToArray<double>());
        // Direct: L_val(θ − α·∇θ Σ λₖLₖ^train(θ)) differentiated in λ by central differences.
        double ValidationAfterStep(double[] lambda)
        {
            var train = context.Losses(context.TrainingBatches);
            var total = train[0]!.MulScalar(lambda[0]).Add(train[1]!.MulScalar(lambda[1]));
            var grads = Autograd.Grad([total], parameters);
            using (GradMode.NoGrad())
                for (int i = 0; i < parameters.Length; i++)
                    parameters[i].CopyFrom<double>(before[i].Zip(grads[i]!.ToArray<double>(), (p, d) => p - 0.3 * d).ToArray());
            var val = context.Losses(context.ValidationBatches);
            double v = val[0]!.Item() + val[1]!.Item();
            using (GradMode.NoGrad())
                for (int i = 0; i < parameters.Length; i++) parameters[i].CopyFrom<double>(before[i]);
            return v;
        }
        const double h = 1e-6;
        for (int k = 0; k < 2; k++)
        {
            var up = new[] { 0.7, 0.7 };
            var down = new[] { 0.7, 0.7 };
            up[k] += h;
            down[k] -= h;
            double direct = (ValidationAfterStep(up) - ValidationAfterStep(down)) / (2 * h);
            Assert.True(Math.Abs(direct) > 1e-3, $"task {k}: the derivative {direct} is too small to tell anything");
            Assert.True(Math.Abs(meta[k] - direct) <= 1e-4 * Math.Abs(direct), $"task {k}: finite-difference {meta[k]} vs direct {direct}");
        }
    }

    // Inputs x ∈ R⁸; "primary" = x·β + a little noise; "noise" = pure noise, unrelated to x.
    private static InMemoryDataset NoiseData(int count, ulong seed)
    {
        var g = new Generator(seed);
        var beta = new[] { 1.0, -0.5, 0.8, 0.3, -1.2, 0.6, 0.2, -0.7 };
        var x = new float[count * 8];
        var primary = new float[count];
        var noise = new float[count];
        for (int i = 0; i < count; i++)
        {
            double y = 0;
            for (int j = 0; j < 8; j++)
            {
                x[i * 8 + j] = (float)g.NextNormal();
                y += beta[j] * x[i * 8 + j];
            }
            primary[i] = (float)(y + 0.1 * g.NextNormal());
            noise[i] = (float)(2 * g.NextNormal());
        }
        return new InMemoryDataset([8], x, LabelColumn.Vectors("primary", 1, primary), LabelColumn.Vectors("noise", 1, noise));
    }

    private static HardSharing NoiseModel()
    {
        Init.ManualSeed(4);
        var g = new Generator(4);
        var tasks = new[] { new TaskSpec("primary", TaskKind.Regression, 1), new TaskSpec("noise", TaskKind.Regression, 1) };
        return new HardSharing(new Sequential(new Linear(8, 16, generator: g), new ReLU()), 16, tasks);
    }

    // The paper's Adam lr for λ is 1e-4; 0.01 lets a few dozen steps show the trend.
    private static AutoLambda NoiseStrategy() =>
        (AutoLambda)StrategyRegistry.Create("autolambda", new AutoLambdaOptions { LearningRate = 0.01, PrimaryTasks = ["primary"] });

    private static (DataLoader Train, DataLoader Validation) NoiseLoaders() =>
        (new DataLoader(NoiseData(320, 1), new DataLoaderOptions { BatchSize = 32, Shuffle = true, Seed = 2 }),
         new DataLoader(NoiseData(160, 9), new DataLoaderOptions { BatchSize = 40 }));

    [Fact]
    public void The_weight_of_a_pure_noise_task_falls_below_the_primary_tasks()
    {
        var model = NoiseModel();
        var strategy = NoiseStrategy();
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 4, RestoreBest = false }, strategy: strategy);
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        var (train, validation) = NoiseLoaders();
        using (train)
        using (validation)
            trainer.Fit(train, validation);
        Assert.Equal(40, logs.Count);
        double primary = strategy.Lambda[0], noise = strategy.Lambda[1];
        output.WriteLine($"after 40 steps: λ(primary) = {primary:F4}, λ(noise) = {noise:F4}");
        Assert.True(noise < primary, $"λ(noise) = {noise}, λ(primary) = {primary}");
        Assert.True(primary > 0.1, $"λ(primary) = {primary} did not grow from 0.1");
        // The step applies (and logs) the λ updated just before it.
        Assert.Equal(primary, logs[^1].Weights["primary"]);
        Assert.Equal(noise, logs[^1].Weights["noise"]);
    }

    [Fact]
    public void Fit_without_validation_data_is_refused_naming_autolambda()
    {
        var model = NoiseModel();
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }), strategy: NoiseStrategy());
        var (train, validation) = NoiseLoaders();
        using (train)
        using (validation)
        {
            var e = Assert.Throws<ArgumentException>(() => trainer.Fit(train));
            Assert.Contains("'autolambda'", e.Message);
            Assert.Contains("validation", e.Message);
        }
    }

    [Fact]
    public void A_resumed_run_continues_bit_for_bit_with_the_same_validation_batches()
    {
        (float[] Parameters, double[] Lambda) Run(bool interrupt)
        {
            var options = new TrainerOptions { Epochs = 2, RestoreBest = false, CheckpointDirectory = Path.Combine(_dir, interrupt ? "a" : "b") };
            Directory.CreateDirectory(options.CheckpointDirectory);   // the trainer writes best.safetensors before creating it
            MultiTaskTrainer Trainer(MultiTaskModel m, AutoLambda s) => new(m, new SGD(m.Parameters(), new SGDOptions { Lr = 0.05 }), options, strategy: s);
            var model = NoiseModel();
            var strategy = NoiseStrategy();
            var (train, validation) = NoiseLoaders();
            using (train)
            using (validation)
            {
                var trainer = Trainer(model, strategy);
                if (!interrupt)
                {
                    trainer.Fit(train, validation);
                    return (model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray(), strategy.Lambda.ToArray());
                }
                using var cts = new CancellationTokenSource();
                trainer.StepCompleted += s => { if (s.Step == 13) cts.Cancel(); };   // mid-epoch, mid validation pass
                trainer.Fit(train, validation, cts.Token);
                var fresh = NoiseModel();
                var freshStrategy = NoiseStrategy();
                var resumed = Trainer(fresh, freshStrategy);
                resumed.Resume(Path.Combine(options.CheckpointDirectory!, MultiTaskTrainer.LastFileName));
                resumed.Fit(train, validation);
                return (fresh.Parameters().SelectMany(p => p.ToArray<float>()).ToArray(), freshStrategy.Lambda.ToArray());
            }
        }
        var whole = Run(interrupt: false);
        var split = Run(interrupt: true);
        Assert.Equal(whole.Lambda, split.Lambda);
        Assert.Equal(whole.Parameters, split.Parameters);
    }

    [Fact]
    public void Standalone_it_applies_the_current_lambda_and_its_state_round_trips()
    {
        var s = StrategyRegistry.Create("autolambda");
        var r = s.Combine(GradientMatrix.FromRows([[1, 2], [3, 4], [5, 6]]), new StrategyStep([1.0, 1.0, 1.0]));
        AssertClose([0.1, 0.1, 0.1], r.Weights!);
        AssertClose([0.9, 1.2], r.Combined);

        var g = new Generator(8);
        var model = new TinyModel(g);
        var a = new AutoLambda(new AutoLambdaOptions { LearningRate = 0.05 });
        var context = new LookaheadContext(model, [Batch(g, 4)], [Batch(g, 4)], 0.2);
        a.BeforeStep(context);
        a.LossWeights(new StrategyStep([1.0, 1.0]), new double[2]);   // K is fixed by the first weights call
        a.BeforeStep(context);
        var restored = new AutoLambda(new AutoLambdaOptions { LearningRate = 0.05 });
        restored.LoadStateDict(a.StateDict());
        Assert.Equal(a.Lambda, restored.Lambda);
        a.BeforeStep(context);
        restored.BeforeStep(context);
        Assert.Equal(a.Lambda, restored.Lambda);   // Adam's moments and step count came along
        Assert.NotEqual(0.1, a.Lambda[0]);
    }

    [Fact]
    public void Unknown_primary_tasks_are_refused()
    {
        var g = new Generator(3);
        var model = new TinyModel(g);
        var s = new AutoLambda(new AutoLambdaOptions { PrimaryTasks = ["c"] });
        var e = Assert.Throws<ArgumentException>(() => s.BeforeStep(new LookaheadContext(model, [Batch(g, 3)], [Batch(g, 3)], 0.1)));
        Assert.Contains("primary task 'c' is not a task of the model (tasks: a, b)", e.Message);
    }
}
