// Gradient checks and value tests of reductions: sum/mean/max/min/var/logsumexp over axes, keepdim, strided inputs.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class ReductionGradTests
{
    public static TheoryData<int[], bool> AxisSets => new()
    {
        { [], false }, { [0], false }, { [1], true }, { [2], false }, { [0, 2], true }, { [-1, 0], false }, { [1, 2], false },
    };

    [Theory]
    [MemberData(nameof(AxisSets))]
    public void Sum_mean_var(int[] axes, bool keep)
    {
        var x = RandD(1, 3, 4, 5);
        GradOk(t => t[0].Sum(axes, keep), x);
        GradOk(t => t[0].Mean(axes, keep), x);
        GradOk(t => t[0].Var(axes, keep), x);
        GradOk(t => t[0].LogSumExp(axes, keep), x);
        GradOk(t => t[0].Sum(axes, keep), StridedD(2, 3, 4, 5));
    }

    [Theory]
    [MemberData(nameof(AxisSets))]
    public void Max_min(int[] axes, bool keep)
    {
        var x = RandD(3, 3, 4, 5); // continuous samples: no ties
        GradOk(t => t[0].Max(axes, keep), x);
        GradOk(t => t[0].Min(axes, keep), StridedD(4, 3, 4, 5));
    }

    [Fact]
    public void Values_match_direct_loops()
    {
        var x = RandD(5, 3, 4, 5);
        var a = x.ToArray<double>();
        var s = x.Sum([0, 2]).ToArray<double>();
        var m = x.Max(1).ToArray<double>();
        for (int j = 0; j < 4; j++)
        {
            double acc = 0;
            for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) acc += a[i * 20 + j * 5 + k];
            Assert.Equal(acc, s[j], 12);
        }
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5; k++)
            {
                double best = double.NegativeInfinity;
                for (int j = 0; j < 4; j++) best = Math.Max(best, a[i * 20 + j * 5 + k]);
                Assert.Equal(best, m[i * 5 + k]);
            }
        var v = x.Var([], correction: 1).Item();
        double mean = a.Average();
        Assert.Equal(a.Sum(d => (d - mean) * (d - mean)) / (a.Length - 1), v, 12);
    }

    [Fact]
    public void Argmax_returns_first_index_along_axis()
    {
        var x = Tensor.From(new float[] { 1, 5, 5, 2, 9, 0 }, 2, 3);
        Assert.Equal(new[] { 1, 1 }, x.Argmax(1).ToArray<int>());
        Assert.Equal(new[] { 1, 1, 0 }, x.Argmax(0).ToArray<int>());
        Assert.Equal(DType.Int32, x.Argmin(1).DType);
        Assert.Equal(new[] { 0, 2 }, x.Argmin(1).ToArray<int>());
    }

    [Fact]
    public void Max_ties_share_gradient()
    {
        var x = Tensor.From(new double[] { 2, 2, 1 }).RequireGrad();
        x.Max().Backward();
        Assert.Equal(new[] { 0.5, 0.5, 0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Bad_axes_name_the_op()
    {
        var x = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum([2]));
        Assert.Contains("sum", e.Message);
        Assert.Contains("rank 2", e.Message);
        Assert.Throws<ArgumentException>(() => x.Sum([1, -1]));
    }
}
