// Learned simplex weights and sparse L1 mixing fitted on validation outputs of hand-built good, bad and useless members.
using Mtl.Data;
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Tests.Ensembles;

public sealed class FittedWeightsTests
{
    private const int N = 400;
    private static readonly TaskSpec[] Value = [new("value", TaskKind.Regression, 1)];
    private static readonly TaskSpec[] Cls = [new("cls", TaskKind.Classification, 3)];

    // Regression targets t ~ N(0, 1) and members t + σ·noise (σ = 0 … ∞: pure noise of unit variance).
    private static (float[] Targets, Func<double, ulong, TableModel> Member) Regression()
    {
        var t = Tensor.RandN([N], new Generator(1)).ToDoubleArray();
        TableModel Member(double sigma, ulong seed)
        {
            var noise = Tensor.RandN([N], new Generator(seed)).ToDoubleArray();
            var rows = Enumerable.Range(0, N).Select(i => new[] { double.IsPositiveInfinity(sigma) ? noise[i] : t[i] + sigma * noise[i] }).ToArray();
            return new TableModel(Value, new Dictionary<string, double[][]> { ["value"] = rows });
        }
        return (t.Select(v => (float)v).ToArray(), Member);
    }

    private static DataLoader RegressionLoader(float[] t) => TableModel.Loader(N, LabelColumn.Vectors("value", 1, t));

    // Class targets y_i = i mod 3; a member right with probability `accuracy` (confidence 0.8 on its pick).
    private static TableModel Classifier(double accuracy, ulong seed)
    {
        var u = Tensor.Rand([N], new Generator(seed)).ToDoubleArray();
        var rows = Enumerable.Range(0, N).Select(i =>
        {
            int pick = u[i] < accuracy ? i % 3 : (i + 1 + (int)(u[i] * 10) % 2) % 3;
            return Enumerable.Range(0, 3).Select(c => Math.Log(c == pick ? 0.8 : 0.1)).ToArray();
        }).ToArray();
        return new TableModel(Cls, new Dictionary<string, double[][]> { ["cls"] = rows });
    }

    private static DataLoader ClassLoader() => TableModel.Loader(N, LabelColumn.Classes("cls", 3, Enumerable.Range(0, N).Select(i => i % 3).ToArray()));

    [Fact]
    public void Learned_weights_favour_the_good_member_sum_to_one_and_are_deterministic()
    {
        var (t, member) = Regression();
        using var loader = RegressionLoader(t);
        TableModel[] members = [member(double.PositiveInfinity, 7), member(0.1, 8)];
        var e = ModelEnsemble.Fit(members, EnsembleCombination.Learned, loader);
        var w = e.Weights["value"];
        // The MSE-optimal simplex weight of the good member: Var(bad)/(Var(bad) + Var(good − t)) ≈ 1/(1 + 0.01) ≈ 0.99.
        Assert.True(w[1] > 0.9, $"good member's weight {w[1]}");
        Assert.Equal(1.0, w.Sum(), 12);
        var again = ModelEnsemble.Fit(members, EnsembleCombination.Learned, loader).Weights["value"];
        Assert.Equal(w, again);   // bit for bit

        var mse = Evaluator.Run(e, loader).Metrics["value"]["mse"];
        var good = Evaluator.Run(members[1], loader).Metrics["value"]["mse"];
        Assert.True(mse < 1.1 * good, $"ensemble MSE {mse} vs good member {good}");

        // Classification: a 90 %-accurate member against a 40 %-accurate one.
        using var cls = ClassLoader();
        var wc = ModelEnsemble.Fit([Classifier(0.4, 3), Classifier(0.9, 4)], EnsembleCombination.Learned, cls).Weights["cls"];
        Assert.True(wc[1] > 0.75, $"good classifier's weight {wc[1]}");
        Assert.Equal(1.0, wc.Sum(), 12);
    }

    [Fact]
    public void Multi_label_weights_favour_the_right_member_and_sparse_drops_a_constant_one()
    {
        // Labels y_i = i mod 2; the good member says ±2 the right way on 90 % of samples, the bad one on 50 %.
        var tags = new[] { new TaskSpec("tag", TaskKind.MultiLabel, 1) };
        TableModel Tagger(double accuracy, ulong seed)
        {
            var u = Tensor.Rand([N], new Generator(seed)).ToDoubleArray();
            return new TableModel(tags, new Dictionary<string, double[][]>
            {
                ["tag"] = Enumerable.Range(0, N).Select(i => new[] { ((i % 2 == 1) == (u[i] < accuracy)) ? 2.0 : -2.0 }).ToArray(),
            });
        }
        using var loader = TableModel.Loader(N, LabelColumn.Vectors("tag", 1, Enumerable.Range(0, N).Select(i => (float)(i % 2)).ToArray()));
        var learned = ModelEnsemble.Fit([Tagger(0.5, 41), Tagger(0.9, 42)], EnsembleCombination.Learned, loader).Weights["tag"];
        Assert.True(learned[1] > 0.8, $"good tagger's weight {learned[1]}");
        var constant = TableModel.Constant(tags, new Dictionary<string, double[]> { ["tag"] = [0] }, N);
        var sparse = ModelEnsemble.Fit([Tagger(0.9, 43), constant], EnsembleCombination.Sparse, loader, new EnsembleFitOptions { SparseLambda = 0.01 }).Weights["tag"];
        Assert.Equal(0.0, sparse[1]);   // a zero logit adds nothing to Σ w_m z_m: no gradient, the L1 step takes it to 0
        Assert.True(sparse[0] > 0);
    }

    [Fact]
    public void Sparse_mixing_gives_a_noise_member_exactly_zero_and_keeps_the_useful_ones()
    {
        var (t, member) = Regression();
        using var loader = RegressionLoader(t);
        TableModel[] members = [member(0.3, 11), member(double.PositiveInfinity, 12), member(0.3, 13)];
        var e = ModelEnsemble.Fit(members, EnsembleCombination.Sparse, loader, new EnsembleFitOptions { SparseLambda = 0.1 });
        var w = e.Weights["value"];
        Assert.Equal(0.0, w[1]);   // exactly
        // Two equally good members share the fit: each near ½ (shrunk a little by λ).
        Assert.InRange(w[0], 0.3, 0.6);
        Assert.InRange(w[2], 0.3, 0.6);
        Assert.Equal(w, ModelEnsemble.Fit(members, EnsembleCombination.Sparse, loader, new EnsembleFitOptions { SparseLambda = 0.1 }).Weights["value"]);

        // The mixed output is Σ w_m y_m: check one sample by hand.
        var x = TableModel.Indices(3);
        var outs = members.Select(m => m.Forward(x)["value"].ToDoubleArray()).ToArray();
        var mixed = e.Forward(x)["value"].ToDoubleArray();
        for (int i = 0; i < 3; i++) Assert.Equal(w[0] * outs[0][i] + w[2] * outs[2][i], mixed[i], 5);
    }

    [Fact]
    public void Sparse_mixing_drops_a_constant_classifier_and_lambda_zero_keeps_every_useful_member()
    {
        using var cls = ClassLoader();
        var constant = TableModel.Constant(Cls, new Dictionary<string, double[]> { ["cls"] = [0, 0, 0] }, N);
        var e = ModelEnsemble.Fit([Classifier(0.9, 21), constant, Classifier(0.8, 22)], EnsembleCombination.Sparse, cls,
            new EnsembleFitOptions { SparseLambda = 0.01 });
        var w = e.Weights["cls"];
        // A constant's log-probabilities shift every logit equally: no gradient, so the L1 step takes it to 0.
        Assert.Equal(0.0, w[1]);
        Assert.True(w[0] > 0 && w[2] > 0, $"weights {string.Join(", ", w)}");
        Assert.True(Evaluator.Run(e, cls).Metrics["cls"]["accuracy"] >= Evaluator.Run(e.Members[0], cls).Metrics["cls"]["accuracy"] - 1e-9);

        var (t, member) = Regression();
        using var loader = RegressionLoader(t);
        var free = ModelEnsemble.Fit([member(0.3, 31), member(0.3, 32), member(1.0, 33)], EnsembleCombination.Sparse, loader,
            new EnsembleFitOptions { SparseLambda = 0 }).Weights["value"];
        // Least squares without a penalty: inverse-variance-like weights ≈ (0.47, 0.47, 0.04), all positive.
        Assert.All(free, v => Assert.True(v > 0, $"weights {string.Join(", ", free)}"));
    }
}
