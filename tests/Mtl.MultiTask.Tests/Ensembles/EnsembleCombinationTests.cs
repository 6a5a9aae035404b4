// ModelEnsemble's averaging, voting and median on hand-built members, checked against values worked out by hand.
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.Data;

namespace Mtl.MultiTask.Tests.Ensembles;

public sealed class EnsembleCombinationTests
{
    private static readonly TaskSpec[] Tasks =
    [
        new("cls", TaskKind.Classification, 3),
        new("tags", TaskKind.MultiLabel, 1),
        new("value", TaskKind.Regression, 1),
    ];

    // One sample; each member: class probabilities (given as log-probabilities), one multi-label logit, one value.
    private static TableModel Member(double[] probs, double tag, double value) => new(Tasks, new Dictionary<string, double[][]>
    {
        ["cls"] = [probs.Select(p => Math.Log(p)).ToArray()],
        ["tags"] = [[tag]],
        ["value"] = [[value]],
    });

    private static double[] Out(ModelEnsemble e, string task) => e.Forward(TableModel.Indices(1))[task].ToDoubleArray();

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    [Fact]
    public void Averaging_returns_log_mean_probability_logit_of_mean_sigmoid_and_mean_value()
    {
        TableModel[] members =
        [
            Member([0.9, 0.05, 0.05], 2, 1),
            Member([0.3, 0.4, 0.3], -1, 2),
            Member([0.3, 0.4, 0.3], -0.5, 9),
        ];
        var e = new ModelEnsemble(members);
        // Mean probabilities: (0.9+0.3+0.3)/3 = 0.5, (0.05+0.4+0.4)/3 = 0.28333, (0.05+0.3+0.3)/3 = 0.21667.
        var cls = Out(e, "cls");
        Assert.Equal(Math.Log(0.5), cls[0], 5);
        Assert.Equal(Math.Log(0.85 / 3), cls[1], 5);
        Assert.Equal(Math.Log(0.65 / 3), cls[2], 5);
        // σ(2) = 0.880797, σ(−1) = 0.268941, σ(−0.5) = 0.377541 → mean 0.509093 → logit 0.036376 (positive: label on).
        double mean = (Sigmoid(2) + Sigmoid(-1) + Sigmoid(-0.5)) / 3;
        Assert.Equal(0.509093, mean, 5);
        Assert.Equal(Math.Log(mean / (1 - mean)), Out(e, "tags")[0], 5);
        Assert.True(Out(e, "tags")[0] > 0);
        Assert.Equal(4, Out(e, "value")[0], 5);   // (1 + 2 + 9)/3
        Assert.All(e.Weights.Values, w => Assert.Equal(new[] { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, w));
    }

    [Fact]
    public void Voting_takes_the_majority_class_per_label_majority_and_median()
    {
        TableModel[] members =
        [
            Member([0.9, 0.05, 0.05], 2, 1),
            Member([0.3, 0.4, 0.3], -1, 2),
            Member([0.3, 0.4, 0.3], -0.5, 9),
        ];
        var e = new ModelEnsemble(members, EnsembleCombination.Vote);
        // Votes (0: 1, 1: 2, 2: 0) against averaging's class 0. Output log q, q_c = (votes_c + ½·p̄_c)/(M + ½):
        // q = ((1 + 0.25)/3.5, (2 + 0.141667)/3.5, (0 + 0.108333)/3.5) = (0.357143, 0.611905, 0.030952), summing to 1.
        var cls = Out(e, "cls");
        Assert.Equal(1, Array.IndexOf(cls, cls.Max()));
        Assert.Equal(Math.Log(1.25 / 3.5), cls[0], 5);
        Assert.Equal(Math.Log((2 + 0.85 / 6) / 3.5), cls[1], 5);
        Assert.Equal(1.0, cls.Sum(v => Math.Exp(v)), 5);
        // Label votes: 1 of 3 positive → off (averaging said on); q = (1 + ½·0.509093)/3.5 = 0.358442 → logit −0.58148.
        double q = (1 + 0.5 * 0.509093) / 3.5;
        Assert.Equal(Math.Log(q / (1 - q)), Out(e, "tags")[0], 4);
        Assert.True(Out(e, "tags")[0] < 0);
        Assert.Equal(2, Out(e, "value")[0], 5);   // median of 1, 2, 9
    }

    [Fact]
    public void Vote_ties_go_to_the_higher_averaged_probability_and_even_medians_average_the_middle_two()
    {
        TableModel[] members =
        [
            Member([0.7, 0.2, 0.1], 1, 1),
            Member([0.1, 0.5, 0.4], -3, 2),
            Member([0.1, 0.6, 0.3], 3, 9),
            Member([0.8, 0.1, 0.1], -0.5, 10),
        ];
        var e = new ModelEnsemble(members, EnsembleCombination.Vote);
        // Class votes 2:2 (0 and 1); p̄ = (1.7/4, 1.4/4, 0.9/4) = (0.425, 0.35, 0.225) → class 0 wins the tie.
        var cls = Out(e, "cls");
        Assert.Equal(0, Array.IndexOf(cls, cls.Max()));
        Assert.Equal(Math.Log((2 + 0.5 * 0.425) / 4.5), cls[0], 5);
        Assert.Equal(Math.Log((2 + 0.5 * 0.35) / 4.5), cls[1], 5);
        // Label votes 2:2; p̄ = (σ(1) + σ(−3) + σ(3) + σ(−0.5))/4 = (0.731059 + 0.047426 + 0.952574 + 0.377541)/4 = 0.527150 > ½ → on.
        double mean = (Sigmoid(1) + Sigmoid(-3) + Sigmoid(3) + Sigmoid(-0.5)) / 4;
        Assert.Equal(0.527150, mean, 5);
        Assert.True(Out(e, "tags")[0] > 0);
        Assert.Equal(5.5, Out(e, "value")[0], 5);   // median of 1, 2, 9, 10 = (2 + 9)/2

        // The same tie with the averaged probability on the other side: p̄ = (0.35, 0.425, ·) → class 1.
        var swapped = new ModelEnsemble([Member([0.2, 0.7, 0.1], 0, 0), Member([0.5, 0.1, 0.4], 0, 0), Member([0.6, 0.1, 0.3], 0, 0),
            Member([0.1, 0.8, 0.1], 0, 0)], EnsembleCombination.Vote);
        var s = Out(swapped, "cls");
        Assert.Equal(1, Array.IndexOf(s, s.Max()));
    }

    [Fact]
    public void One_member_ensemble_predicts_like_the_member_and_runs_it_in_eval_mode()
    {
        var member = Member([0.6, 0.3, 0.1], 0.7, 3);
        var e = new ModelEnsemble([member]);
        Assert.False(member.Training);   // the ensemble starts in eval mode, members with it
        member.Train();
        Assert.Equal(new[] { Math.Log(0.6), Math.Log(0.3), Math.Log(0.1) }, Out(e, "cls"), new Tol(1e-5));
        Assert.Equal(0.7, Out(e, "tags")[0], 5);
        Assert.Equal(3, Out(e, "value")[0], 5);
        Assert.True(member.Training);   // Forward ran it in eval mode and gave its own mode back
        Evaluator.Run(e, TableModel.Loader(1, LabelColumn.Classes("cls", 3, [0]), LabelColumn.Vectors("tags", 1, [1]), LabelColumn.Vectors("value", 1, [3])));
        Assert.False(member.Training);   // Evaluator restores the ensemble's (eval) mode on the whole tree
    }

    [Fact]
    public void Sequence_labelling_outputs_combine_over_the_class_axis_one()
    {
        // Outputs (B = 1, C = 2, T = 2), flat index c·T + t. Member A: position 0 (0.9, 0.1), position 1 (0.2, 0.8);
        // member B: position 0 (0.5, 0.5), position 1 (0.6, 0.4). Averages: position 0 (0.7, 0.3), position 1 (0.4, 0.6).
        var tasks = new[] { new TaskSpec("pos", TaskKind.SequenceLabeling, 2) };
        var a = new SequenceModel(tasks, [0.9, 0.2, 0.1, 0.8]);
        var b = new SequenceModel(tasks, [0.5, 0.6, 0.5, 0.4]);
        var avg = new ModelEnsemble([a, b]).Forward(TableModel.Indices(1))["pos"];
        Assert.Equal(new[] { 1, 2, 2 }, avg.Shape.ToArray());
        Assert.Equal(new[] { Math.Log(0.7), Math.Log(0.4), Math.Log(0.3), Math.Log(0.6) }, avg.ToDoubleArray(), new Tol(1e-5));
    }

    // Returns fixed (1, C, T) log-probabilities.
    private sealed class SequenceModel(IReadOnlyList<TaskSpec> tasks, double[] probs) : Architectures.MultiTaskModel
    {
        public override IReadOnlyList<TaskSpec> Tasks => tasks;
        public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input) =>
            new Dictionary<string, Tensor> { ["pos"] = Tensor.From(probs.Select(p => (float)Math.Log(p)).ToArray(), 1, 2, 2) };
    }

    [Fact]
    public void Evaluator_scores_an_ensemble_like_a_single_model()
    {
        // Two samples, class task only: member A right on sample 0 only, member B right on sample 1 only but less sure.
        var tasks = new[] { new TaskSpec("cls", TaskKind.Classification, 2) };
        double[][] Logp(params double[][] p) => p.Select(r => r.Select(v => Math.Log(v)).ToArray()).ToArray();
        var a = new TableModel(tasks, new Dictionary<string, double[][]> { ["cls"] = Logp([0.9, 0.1], [0.8, 0.2]) });
        var b = new TableModel(tasks, new Dictionary<string, double[][]> { ["cls"] = Logp([0.4, 0.6], [0.3, 0.7]) });
        using var loader = TableModel.Loader(2, LabelColumn.Classes("cls", 2, [0, 1]));
        // Average: sample 0 (0.65, 0.35) → 0 ✓; sample 1 (0.55, 0.45) → 0 ✗ → accuracy ½.
        var metrics = Evaluator.Run(new ModelEnsemble([a, b]), loader).Metrics["cls"];
        Assert.Equal(0.5, metrics["accuracy"]);
        Assert.Equal(0.5, Evaluator.Run(a, loader).Metrics["cls"]["accuracy"]);
    }

    [Fact]
    public void Members_with_different_tasks_are_refused_naming_the_member_and_task()
    {
        var ok = Member([0.5, 0.25, 0.25], 0, 0);
        var otherKind = new TableModel([Tasks[0], Tasks[1], new TaskSpec("value", TaskKind.Classification, 1)], new Dictionary<string, double[][]>());
        var e1 = Assert.Throws<ArgumentException>(() => new ModelEnsemble([ok, ok, otherKind]));
        Assert.Contains("member 2", e1.Message);
        Assert.Contains("'value'", e1.Message);
        Assert.Contains("kind", e1.Message);

        var otherSize = new TableModel([new TaskSpec("cls", TaskKind.Classification, 4), Tasks[1], Tasks[2]], new Dictionary<string, double[][]>());
        var e2 = Assert.Throws<ArgumentException>(() => new ModelEnsemble([ok, otherSize]));
        Assert.Contains("member 1", e2.Message);
        Assert.Contains("'cls'", e2.Message);
        Assert.Contains("output size 4", e2.Message);

        var missing = new TableModel([Tasks[0], Tasks[1]], new Dictionary<string, double[][]>());
        var e3 = Assert.Throws<ArgumentException>(() => new ModelEnsemble([ok, missing]));
        Assert.Contains("member 1 has no task 'value'", e3.Message);

        var extra = new TableModel([.. Tasks, new TaskSpec("more", TaskKind.Regression, 1)], new Dictionary<string, double[][]>());
        Assert.Contains("'more'", Assert.Throws<ArgumentException>(() => new ModelEnsemble([ok, extra])).Message);
        Assert.Contains("no members", Assert.Throws<ArgumentException>(() => new ModelEnsemble([])).Message);
    }

    private sealed class Tol(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}
