// Hand-computed cases of the baseline strategies (ew, mean, static) and of PCGrad, and the gradient-matrix helpers.
using Mtl.MultiTask.Balancing;
using static Mtl.MultiTask.Tests.Balancing.StrategyTestUtil;

namespace Mtl.MultiTask.Tests.Balancing;

public class BasicStrategyTests
{
    [Fact]
    public void Ew_sums_mean_averages_and_static_applies_the_given_lambdas()
    {
        double[][] g = [[1, 2], [3, -1], [0, 4]];
        var ew = Combine("ew", g);
        AssertClose([4, 5], ew.Combined);
        AssertClose([1, 1, 1], ew.Weights!);
        AssertClose([4 / 3.0, 5 / 3.0], Combine("mean", g).Combined);
        var st = Combine("static", g, options: new Mtl.MultiTask.Balancing.Strategies.StaticWeightingOptions { Weights = [2, 0, 0.5] });
        AssertClose([2, 6], st.Combined);
        var wrong = Assert.Throws<ArgumentException>(() => Combine("static", g, options: new Mtl.MultiTask.Balancing.Strategies.StaticWeightingOptions { Weights = [1, 2] }));
        Assert.Contains("2 weights given for 3 tasks", wrong.Message);
    }

    [Fact]
    public void Pcgrad_projects_two_conflicting_gradients_off_each_other()
    {
        // g1·g2 = −1: g1' = g1 + ½g2 = (½, ½), g2' = g2 + g1 = (0, 1); sum (½, 3/2) = 2·g1 + 1.5·g2.
        var r = Combine("pcgrad", [[1, 0], [-1, 1]]);
        AssertClose([0.5, 1.5], r.Combined);
        AssertClose([2, 1.5], r.Weights!);
        // No conflict: the plain sum.
        AssertClose([3, 1], Combine("pcgrad", [[1, 0], [2, 1]]).Combined);
    }

    [Fact]
    public void Pcgrad_result_no_longer_conflicts_with_any_task_when_two_tasks_conflict()
    {
        var r = Combine("pcgrad", [[2, 1, 0], [-1, 0.5, 1]]);
        double[][] rows = [[2, 1, 0], [-1, 0.5, 1]];
        foreach (var row in rows) Assert.True(Cosine(r.Combined, row) >= -1e-12);
    }

    [Fact]
    public void Gramian_cosines_and_weighted_sum_match_hand_values()
    {
        var m = GradientMatrix.FromRows([[3, 4], [4, -3], [6, 8]]);
        var gram = m.Gramian();
        Assert.Equal(25, gram[0, 0]);
        Assert.Equal(0, gram[0, 1]);
        Assert.Equal(50, gram[0, 2]);
        var cos = m.Cosines();
        Assert.Equal(1, cos[0, 2], 12);
        Assert.Equal(0, cos[1, 0], 12);
        var into = new double[2];
        m.WeightedSum([1, 2, -0.5], into);
        AssertClose([8, -6], into);
        var e = Assert.Throws<ArgumentException>(() => GradientMatrix.FromRows([[1, 2], [3]]));
        Assert.Contains("task gradient 1 has 1 entries", e.Message);
    }

    [Fact]
    public void Loss_weights_are_refused_for_a_gradient_strategy()
    {
        var s = StrategyRegistry.Create("pcgrad");
        var e = Assert.Throws<NotSupportedException>(() => s.LossWeights(new StrategyStep([1.0, 2.0]), new double[2]));
        Assert.Contains("'pcgrad'", e.Message);
    }
}
