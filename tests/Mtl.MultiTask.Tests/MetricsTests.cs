// Task metrics against hand-computed values, masks, streaming over batches, and Δm's sign convention.
using Mtl.MultiTask.Metrics;

namespace Mtl.MultiTask.Tests;

public class MetricsTests
{
    // Logits whose arg-max is the given class.
    private static Tensor Logits(int classes, params int[] predicted)
    {
        var v = new float[predicted.Length * classes];
        for (int i = 0; i < predicted.Length; i++) v[i * classes + predicted[i]] = 1;
        return Tensor.From(v, predicted.Length, classes);
    }

    [Fact]
    public void Accuracy_counts_matches_and_skips_masked_samples()
    {
        var m = new Accuracy();
        m.Update(Logits(3, 0, 1, 2, 2), Tensor.From(new[] { 0, 1, 1, 2 }));
        Assert.Equal(0.75, m.Compute());
        m.Update(Logits(3, 0, 0), Tensor.From(new[] { 1, 0 }), Tensor.From(new float[] { 0, 1 }));
        Assert.Equal(4.0 / 5, m.Compute(), 12);
        m.Reset();
        Assert.True(double.IsNaN(m.Compute()));
    }

    [Fact]
    public void Macro_f1_matches_a_hand_computed_confusion()
    {
        // targets 0 0 1 1 2, predictions 0 1 1 1 0:
        // class 0: TP 1, FP 1, FN 1 → 0.5; class 1: TP 2, FP 1, FN 0 → 0.8; class 2: TP 0, FN 1 → 0.
        var m = new MacroF1();
        m.Update(Logits(3, 0, 1, 1), Tensor.From(new[] { 0, 0, 1 }));
        m.Update(Logits(3, 1, 0), Tensor.From(new[] { 1, 2 }));   // streaming over two batches
        Assert.Equal((0.5 + 0.8 + 0) / 3, m.Compute(), 12);
    }

    [Fact]
    public void Auc_equals_pairwise_ranking_with_ties_counted_half()
    {
        var g = new Generator(3);
        var scores = Enumerable.Range(0, 60).Select(_ => (float)Math.Round(g.NextDouble() * 5) / 5).ToArray(); // many ties
        var labels = Enumerable.Range(0, 60).Select(_ => g.NextInt(2)).ToArray();
        double wins = 0, pairs = 0;
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 60; j++)
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        var m = new RocAuc();
        m.Update(Tensor.From(scores[..30]), Tensor.From(labels[..30]));
        m.Update(Tensor.From(scores[30..], 30, 1), Tensor.From(labels[30..]));
        Assert.Equal(wins / pairs, m.Compute(), 12);
    }

    [Fact]
    public void Auc_of_two_logit_predictions_uses_their_difference()
    {
        var m = new RocAuc();
        m.Update(Tensor.From(new float[] { 2, 0, 0, 1, 0, 3 }, 3, 2), Tensor.From(new[] { 0, 1, 1 }));
        Assert.Equal(1.0, m.Compute());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Update(Tensor.From(new float[] { 1 }, 1), Tensor.From(new[] { 2 }, 1)));
    }

    [Fact]
    public void Regression_metrics_match_direct_formulas()
    {
        var pred = Tensor.From(new float[] { 1, 2, 3, 5 }, 4, 1);
        var target = Tensor.From(new float[] { 1, 3, 2, 4 }, 4, 1);
        var mse = new MeanSquaredError();
        var mae = new MeanAbsoluteError();
        var r2 = new RSquared();
        foreach (var m in new IMetric[] { mse, mae, r2 }) m.Update(pred, target);
        Assert.Equal(3.0 / 4, mse.Compute(), 12);
        Assert.Equal(3.0 / 4, mae.Compute(), 12);
        // mean 2.5, SS_tot = 2.25+0.25+0.25+2.25 = 5, SS_res = 3 → R² = 0.4
        Assert.Equal(0.4, r2.Compute(), 12);
        Assert.False(mse.HigherIsBetter);
        Assert.True(r2.HigherIsBetter);
    }

    [Fact]
    public void R2_is_one_for_perfect_and_zero_for_mean_predictions_per_output()
    {
        var target = Tensor.From(new float[] { 1, 10, 2, 20, 3, 30 }, 3, 2);
        var r2 = new RSquared();
        r2.Update(target, target);
        Assert.Equal(1, r2.Compute(), 12);
        r2.Reset();
        r2.Update(Tensor.From(new float[] { 2, 20, 2, 20, 2, 20 }, 3, 2), target);
        Assert.Equal(0, r2.Compute(), 12);
    }

    [Fact]
    public void Bad_shapes_name_the_metric()
    {
        Assert.Contains("accuracy", Assert.Throws<ArgumentException>(() => new Accuracy().Update(Tensor.Zeros([4]), Tensor.From(new[] { 1, 2, 3, 4 }))).Message);
        Assert.Contains("(3, 1)", Assert.Throws<ArgumentException>(() => new MeanSquaredError().Update(Tensor.Zeros([3, 1]), Tensor.Zeros([3]))).Message);
        Assert.Contains("outside [0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => new Accuracy().Update(Logits(3, 0), Tensor.From(new[] { 5 }, 1))).Message);
    }

    [Fact]
    public void Delta_m_is_positive_when_mtl_is_better_and_flips_sign_for_lower_is_better()
    {
        var d = DeltaM.Compute(
        [
            new("a", "accuracy", 0.90, 0.80, HigherIsBetter: true),   // +12.5 %
            new("b", "mse", 0.30, 0.40, HigherIsBetter: false),       // +25 %
        ]);
        Assert.Equal((12.5 + 25) / 2, d, 9);
        Assert.True(DeltaM.Compute([new("a", "accuracy", 0.7, 0.8, true)]) < 0);
        Assert.Throws<ArgumentException>(() => DeltaM.Compute([new("a", "mse", 1, 0, false)]));
    }
}

public class MultiLabelMetricsTests
{
    [Fact]
    public void Hamming_accuracy_and_label_macro_f1_match_hand_counts()
    {
        // logits > 0 mean "label present". Rows: predicted / true
        // r0: 1 0 1 / 1 0 0 ; r1: 0 1 1 / 0 1 1 ; r2 (masked out): 1 1 1 / 0 0 0
        var logits = Tensor.From(new float[] { 2, -1, 3, -2, 1, 1, 5, 5, 5 }, [3, 3]);
        var target = Tensor.From(new float[] { 1, 0, 0, 0, 1, 1, 0, 0, 0 }, [3, 3]);
        var mask = Tensor.From(new float[] { 1, 1, 0 }, [3]);
        var hamming = new Mtl.MultiTask.Metrics.HammingAccuracy();
        hamming.Update(logits, target, mask);
        Assert.Equal(5.0 / 6, hamming.Compute(), 12);
        var f1 = new Mtl.MultiTask.Metrics.LabelMacroF1();
        f1.Update(logits, target, mask);
        // label 0: tp 1 → F1 1; label 1: tp 1 → 1; label 2: tp 1, fp 1 → 2/3
        Assert.Equal((1 + 1 + 2.0 / 3) / 3, f1.Compute(), 12);
        Assert.Contains("not 0 or 1", Assert.Throws<ArgumentOutOfRangeException>(() =>
            f1.Update(logits, Tensor.From(new float[] { 2, 0, 0, 0, 1, 1, 0, 0, 0 }, [3, 3]))).Message);
        var spec = new Mtl.MultiTask.Tasks.TaskSpec("tags", Mtl.MultiTask.Tasks.TaskKind.MultiLabel, 3);
        Assert.Equal(new[] { "label_macro_f1", "hamming_accuracy" }, spec.CreateMetrics().Select(m => m.Name).ToArray());
    }
}
