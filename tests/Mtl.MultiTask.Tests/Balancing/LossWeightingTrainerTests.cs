// uw and dwa inside MultiTaskTrainer on a tiny regression problem: their weights are applied, logged and change.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Strategies;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests.Balancing;

public class LossWeightingTrainerTests
{
    // 240 samples, batches of 40: 6 steps per epoch.
    private static List<StepLog> Train(BalancingStrategy strategy, int epochs)
    {
        var model = TinyProblem.Model(linearHeads: true);
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05 }),
            new TrainerOptions { Epochs = epochs }, strategy: strategy);
        var logs = new List<StepLog>();
        trainer.StepCompleted += logs.Add;
        trainer.Fit(TinyProblem.Loader());
        return logs;
    }

    private static double[] W(StepLog l) => LearningHarness.SyntheticTasks.Select(t => l.Weights[t]).ToArray();

    [Fact]
    public void Uw_weights_move_every_step_and_the_logged_total_is_the_weighted_sum()
    {
        var logs = Train(StrategyRegistry.Create("uw", new UncertaintyWeightingOptions { Lr = 0.05 }), epochs: 2);
        Assert.Equal(12, logs.Count);
        Assert.All(W(logs[0]), w => Assert.Equal(0.5 * Math.Exp(0.5), w, 14));   // s₀ = −0.5
        for (int i = 1; i < logs.Count; i++) Assert.NotEqual(W(logs[i - 1]), W(logs[i]));
        var t = LearningHarness.SyntheticTasks;
        Assert.All(logs, l => Assert.Equal(l.Weights[t[0]] * l.TaskLosses[t[0]] + l.Weights[t[1]] * l.TaskLosses[t[1]], l.Total, 12));
    }

    [Fact]
    public void Dwa_uses_weight_one_for_two_epochs_then_the_loss_ratio_weights()
    {
        var logs = Train(StrategyRegistry.Create("dwa"), epochs: 3);
        Assert.Equal(18, logs.Count);
        Assert.All(logs.Where(l => l.Epoch < 2), l => Assert.All(W(l), w => Assert.Equal(1, w)));
        var third = logs.Where(l => l.Epoch == 2).Select(W).ToList();
        Assert.All(third, w => Assert.Equal(third[0], w));                  // fixed within the epoch…
        Assert.NotEqual(1, third[0][0]);                                    // …and no longer 1
        Assert.Equal(2, third[0].Sum(), 12);
        // The weights match the epoch means of the logged losses: w = 2·softmax(r/2), r = L̄(1)/L̄(0).
        var t = LearningHarness.SyntheticTasks;
        double Mean(int epoch, string task) => logs.Where(l => l.Epoch == epoch).Average(l => l.TaskLosses[task]);
        var r = t.Select(task => Mean(1, task) / Mean(0, task)).ToArray();
        double a = Math.Exp(r[0] / 2), b = Math.Exp(r[1] / 2);
        Assert.Equal(2 * a / (a + b), third[0][0], 10);
    }
}
