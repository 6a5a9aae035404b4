// The trainer's side of balancing: loss weights applied and logged, task gradients split into shared and task-specific
// parts (in parameter and representation space), cosines logged, strategy state resumed exactly, bad set-ups refused.
using System.Text.Json;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Balancing;

public sealed class TrainerStrategyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mtl-balance-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A gradient-level stand-in for ew: Σ of the task gradients, weights 1.</summary>
    private sealed class SumOfGradients : BalancingStrategy
    {
        public override bool NeedsGradients => true;
        public override bool SupportsRepresentation => true;

        protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
        {
            weights.Fill(1);
            gradients.WeightedSum(weights, combined);
            return true;
        }
    }

    private static float[] Train(BalancingStrategy? strategy, GradientSpace space = GradientSpace.SharedParameters, List<StepLog>? logs = null)
    {
        var model = TinyProblem.Model();
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = 2, GradientSpace = space }, strategy: strategy);
        if (logs is not null) trainer.StepCompleted += logs.Add;
        trainer.Fit(TinyProblem.Loader());
        return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
    }

    private static void AssertNear(float[] expected, float[] actual, float tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"parameter value {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void A_loss_strategy_applies_its_weights_and_logs_them()
    {
        var logs = new List<StepLog>();
        var withStatic = Train(new StaticWeighting(new StaticWeightingOptions { Weights = [2, 0.5] }), logs: logs);
        Assert.All(logs, l => Assert.Equal(2, l.Weights[LearningHarness.SyntheticTasks[0]]));
        Assert.All(logs, l => Assert.Equal(0.5, l.Weights[LearningHarness.SyntheticTasks[1]]));
        Assert.All(logs, l => Assert.Equal(2 * l.TaskLosses[LearningHarness.SyntheticTasks[0]] + 0.5 * l.TaskLosses[LearningHarness.SyntheticTasks[1]], l.Total, 12));
        Assert.All(logs, l => Assert.Null(l.GradientCosines));
        var ew = Train(StrategyRegistry.Create("ew"));
        Assert.NotEqual(ew, withStatic);
    }

    [Fact]
    public void Summing_task_gradients_reproduces_summing_losses_in_parameter_space()
    {
        var viaLosses = Train(StrategyRegistry.Create("ew"));
        var logs = new List<StepLog>();
        var viaGradients = Train(new SumOfGradients(), logs: logs);
        AssertNear(viaLosses, viaGradients, 1e-5f);
        var cos = Assert.Single(logs[0].GradientCosines!);
        Assert.Equal($"{LearningHarness.SyntheticTasks[0]}|{LearningHarness.SyntheticTasks[1]}", cos.Key);
        Assert.InRange(cos.Value, -1, 1);
    }

    [Fact]
    public void Summing_task_gradients_reproduces_summing_losses_in_representation_space()
    {
        var viaLosses = Train(StrategyRegistry.Create("ew"));
        var viaRepresentation = Train(new SumOfGradients(), GradientSpace.Representation);
        AssertNear(viaLosses, viaRepresentation, 1e-5f);
    }

    [Fact]
    public void Pcgrad_changes_training_when_gradients_conflict_and_logs_weights_and_cosines()
    {
        var logs = new List<StepLog>();
        var pc = Train(StrategyRegistry.Create("pcgrad"), logs: logs);
        var ew = Train(StrategyRegistry.Create("ew"));
        Assert.Contains(logs, l => l.GradientCosines!.Values.Single() < 0);   // some steps conflict…
        Assert.NotEqual(ew, pc);                                               // …and those are projected
        var conflicting = logs.First(l => l.GradientCosines!.Values.Single() < 0);
        Assert.All(conflicting.Weights.Values, w => Assert.True(w > 1));       // 1 + |projection coefficient|
        var agreeing = logs.FirstOrDefault(l => l.GradientCosines!.Values.Single() > 0);
        if (agreeing is not null) Assert.All(agreeing.Weights.Values, w => Assert.Equal(1, w));
    }

    [Fact]
    public void A_stateful_strategy_resumes_bit_identically_and_its_weights_reach_the_metrics_log()
    {
        float[] Run(bool interrupt)
        {
            Init.ManualSeed(1);
            var model = TinyProblem.Model();
            var options = new TrainerOptions { Epochs = 2, CheckpointDirectory = _dir, MetricsLogPath = Path.Combine(_dir, interrupt ? "a.jsonl" : "b.jsonl") };
            MultiTaskTrainer Trainer(MultiTaskModel m) => new(m, new Adam(m.Parameters(), new AdamOptions { Lr = 0.01 }), options, strategy: StrategyRegistry.Create("pcgrad"));
            var trainer = Trainer(model);
            if (!interrupt)
            {
                trainer.Fit(TinyProblem.Loader());
                return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
            }
            using var cts = new CancellationTokenSource();
            trainer.StepCompleted += s => { if (s.Step == 4) cts.Cancel(); };
            trainer.Fit(TinyProblem.Loader(), cancellation: cts.Token);
            var fresh = TinyProblem.Model();
            var resumed = Trainer(fresh);
            resumed.Resume(Path.Combine(_dir, MultiTaskTrainer.LastFileName));
            resumed.Fit(TinyProblem.Loader());
            return fresh.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        }
        var whole = Run(interrupt: false);
        Assert.Equal(whole, Run(interrupt: true));
        var line = File.ReadLines(Path.Combine(_dir, "b.jsonl")).First();
        using var doc = JsonDocument.Parse(line);
        Assert.True(doc.RootElement.GetProperty("weights").GetProperty(LearningHarness.SyntheticTasks[0]).GetDouble() >= 1);
        Assert.True(doc.RootElement.TryGetProperty("cosines", out _));
    }

    [Fact]
    public void Representation_space_is_refused_for_strategies_and_models_that_do_not_support_it()
    {
        var model = TinyProblem.Model();
        var opt = new SGD(model.Parameters(), new SGDOptions { Lr = 0.1 });
        var rep = new TrainerOptions { GradientSpace = GradientSpace.Representation };
        var e = Assert.Throws<ArgumentException>(() => new MultiTaskTrainer(model, opt, rep, strategy: new StaticWeighting(new StaticWeightingOptions())));
        Assert.Contains("not defined on representation gradients", e.Message);
        Init.ManualSeed(2);
        var mmoe = ArchitectureRegistry.Create("mmoe", new ArchitectureContext(model.Tasks, Trunk.Mlp(8, [8], new Generator(1))));
        var m = Assert.Throws<ArgumentException>(() => new MultiTaskTrainer(mmoe, new SGD(mmoe.Parameters(), new SGDOptions { Lr = 0.1 }), rep, strategy: new SumOfGradients()));
        Assert.Contains("Mmoe does not expose a shared representation", m.Message);
    }
}
