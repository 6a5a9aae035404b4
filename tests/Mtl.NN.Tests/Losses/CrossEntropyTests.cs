// Cross-entropy and NLL: fused kernel against the composed oracle over sizes and options, gradient checks, double backward.
using static Mtl.NN.Tests.LossTests.LossTestUtil;

namespace Mtl.NN.Tests.LossTests;

public class CrossEntropyTests
{
    public static TheoryData<int> Classes => new() { 1, 2, 7, 8, 9, 15, 16, 17, 100, 1000 };

    private static readonly Reduction[] AllReductions = [Reduction.Mean, Reduction.Sum, Reduction.None];

    // Fused forward and backward against the composed log_softmax + gather form, in float32 and float64.
    private static void FusedMatchesComposed(int[] shape, Tensor? weight, int ignoreEvery, double smoothing, Reduction reduction, DType dtype, ulong seed)
    {
        int c = shape.Length == 1 ? shape[0] : shape[1];
        int[] targetShape = shape.Length == 1 ? [] : [shape[0], .. shape[2..]];
        var target = Labels(seed, c, targetShape, ignoreEvery);
        var x = Tensor.RandN(shape, new Generator(seed + 1), std: 3, dtype: dtype);
        if (weight is not null) weight = AsType(weight, dtype);
        Tensor x1 = x.Clone().RequireGrad(), x2 = x.Clone().RequireGrad();
        var fused = Losses.CrossEntropy(x1, target, weight, labelSmoothing: smoothing, reduction: reduction);
        var composed = Losses.CrossEntropyComposed(x2, target, weight, labelSmoothing: smoothing, reduction: reduction);
        Assert.Equal(composed.ShapeString, fused.ShapeString);
        var g = Tensor.RandN(fused.Shape, new Generator(seed + 2), dtype: dtype);
        fused.Backward(g);
        composed.Backward(g);
        double tol = dtype == DType.Float32 ? 2e-5 : 1e-12;
        string what = $"{ShapeUtilFormat(shape)} w={weight is not null} ignore={ignoreEvery} eps={smoothing} {reduction} {dtype}";
        Close(composed.ToDoubleArray(), fused.ToDoubleArray(), tol, tol, what + " loss");
        Close(x2.Grad!.ToDoubleArray(), x1.Grad!.ToDoubleArray(), tol, tol, what + " grad");
    }

    private static string ShapeUtilFormat(int[] s) => "(" + string.Join(", ", s) + ")";

    [Theory]
    [MemberData(nameof(Classes))]
    public void Fused_kernel_matches_composed_oracle_across_class_counts(int c)
    {
        var w = Tensor.Rand([c], new Generator(9), 0.2, 2.0, DType.Float64);
        foreach (var r in AllReductions)
        {
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                FusedMatchesComposed([5, c], null, 0, 0, r, dtype, 1);
                FusedMatchesComposed([6, c], w, 3, 0.2, r, dtype, 2);
                FusedMatchesComposed([4, c], null, 2, 0.1, r, dtype, 3);
            }
        }
    }

    [Fact]
    public void Fused_kernel_matches_composed_oracle_on_spatial_unbatched_and_large_inputs()
    {
        var w = Tensor.Rand([4], new Generator(4), 0.2, 2.0, DType.Float64);
        foreach (var r in AllReductions)
        {
            FusedMatchesComposed([2, 4, 3, 5], w, 4, 0.3, r, DType.Float64, 5);
            FusedMatchesComposed([2, 4, 3], null, 0, 0, r, DType.Float32, 6);
            FusedMatchesComposed([7], null, 0, 0.1, r, DType.Float64, 7);
            FusedMatchesComposed([700, 300], null, 5, 0.1, r, DType.Float32, 8); // parallel chunks
        }
    }

    [Fact]
    public void Empty_batch_gives_nan_mean_and_zero_sum_like_pytorch()
    {
        var x = Tensor.Zeros([0, 3]).RequireGrad();
        var t = Tensor.Zeros([0], DType.Int32);
        Assert.True(double.IsNaN(Losses.CrossEntropy(x, t).Item()));
        var s = Losses.CrossEntropy(x, t, reduction: Reduction.Sum);
        Assert.Equal(0, s.Item());
        s.Backward();
        Assert.Equal([0, 3], x.Grad!.Shape.ToArray());
        Assert.Equal([0], Losses.CrossEntropy(x, t, reduction: Reduction.None).Shape.ToArray());
    }

    [Fact]
    public void All_ignored_mean_is_nan_with_zero_gradient()
    {
        var x = Tensor.RandN([3, 4], new Generator(1)).RequireGrad();
        var t = Tensor.Full([3], -100, DType.Int32);
        var l = Losses.CrossEntropy(x, t);
        Assert.True(double.IsNaN(l.Item()));
        l.Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Hand_computed_value_with_weights_ignore_and_smoothing()
    {
        // Row 0: logits (0, ln 3) → log p = (ln ¼, ln ¾), target 1; row 1 ignored; w = (2, 1), ε = 0.5, C = 2.
        var x = Tensor.From(new double[] { 0, Math.Log(3), 5, -5 }, 2, 2);
        var t = Tensor.From(new[] { 1, -100 }, 2);
        var w = Tensor.From(new double[] { 2, 1 });
        double nll = -1 * Math.Log(0.75), smooth = -(2 * Math.Log(0.25) + 1 * Math.Log(0.75));
        double expected = (0.5 * nll + 0.25 * smooth) / 1.0; // Σ w[t] over non-ignored = w[1] = 1
        Assert.Equal(expected, Losses.CrossEntropy(x, t, w, labelSmoothing: 0.5).Item(), 12);
        Assert.Equal(expected, Losses.CrossEntropyComposed(x, t, w, labelSmoothing: 0.5).Item(), 12);
    }

    public static TheoryData<bool, int, double, Reduction> Options()
    {
        var d = new TheoryData<bool, int, double, Reduction>();
        foreach (var r in AllReductions)
        foreach (bool weighted in new[] { false, true })
        foreach (int ignore in new[] { 0, 3 })
        foreach (double eps in new[] { 0.0, 0.25 })
            d.Add(weighted, ignore, eps, r);
        return d;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Cross_entropy_gradients_match_finite_differences(bool weighted, int ignoreEvery, double eps, Reduction r)
    {
        var w = weighted ? UniformD(1, 0.3, 2, 5) : null;
        var t = Labels(2, 5, [7], ignoreEvery);
        GradOk(a => Losses.CrossEntropy(a[0], t, w, labelSmoothing: eps, reduction: r), RandD(3, 7, 5));
        GradOk(a => Losses.CrossEntropy(a[0], t, w, labelSmoothing: eps, reduction: r), StridedD(4, 7, 5));
        var ts = Labels(5, 5, [2, 3], ignoreEvery);
        GradOk(a => Losses.CrossEntropy(a[0], ts, w, labelSmoothing: eps, reduction: r), RandD(6, 2, 5, 3));
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Nll_gradients_match_finite_differences(bool weighted, int ignoreEvery, double eps, Reduction r)
    {
        if (eps != 0) return; // NLL has no smoothing; the rows with eps are the same cases
        var w = weighted ? UniformD(1, 0.3, 2, 5) : null;
        var t = Labels(2, 5, [7], ignoreEvery);
        GradOk(a => Losses.NllLoss(a[0], t, w, reduction: r), RandD(3, 7, 5));
        GradOk(a => Losses.NllLoss(a[0], t, w, reduction: r), StridedD(4, 7, 5));
        GradOk(a => Losses.NllLoss(a[0], Labels(5, 5, [2, 3], ignoreEvery), w, reduction: r), RandD(6, 2, 5, 3));
    }

    [Theory]
    [InlineData(false, 0.0, Reduction.Mean)]
    [InlineData(true, 0.2, Reduction.Mean)]
    [InlineData(true, 0.2, Reduction.Sum)]
    [InlineData(false, 0.1, Reduction.None)]
    public void Probability_target_gradients_match_finite_differences(bool weighted, double eps, Reduction r)
    {
        var w = weighted ? UniformD(1, 0.3, 2, 4) : null;
        GradOk(a => Losses.CrossEntropy(a[0], a[1], w, labelSmoothing: eps, reduction: r), RandD(2, 5, 4), ProbsD(3, 5, 4));
        GradOk(a => Losses.CrossEntropy(a[0], a[1], w, labelSmoothing: eps, reduction: r), RandD(4, 2, 4, 3), ProbsD(5, 2, 4, 3));
    }

    [Fact]
    public void Double_backward_uses_the_composed_gradient()
    {
        // d/dx of Σ (∂L/∂x)·v: the fused node must build a graph for its gradient when createGraph is set.
        // (retainGraph: the engine frees first-order nodes otherwise, and the composed oracle's graph goes through them.)
        var w = UniformD(1, 0.3, 2, 5);
        var t = Labels(2, 5, [6], 3);
        var v = RandD(9, 6, 5);
        foreach (var r in AllReductions)
        {
            Func<Tensor, Tensor> loss = x => Losses.CrossEntropy(x, t, w, labelSmoothing: 0.2, reduction: r);
            Func<Tensor, Tensor> reduce = l => r == Reduction.None ? l.Mul(RandD(4, 6)).Sum() : l;
            GradOk(a =>
            {
                using var on = GradMode.EnableGrad(); // GradCheck evaluates under NoGrad; the inner Grad needs a graph
                var gx = Autograd.Grad([reduce(loss(a[0]))], [a[0]], createGraph: true, retainGraph: true)[0]!;
                return gx.Mul(v).Sum();
            }, RandD(3, 6, 5));
            // spatial logits go through permute + reshape before the fused node
            var ts = Labels(5, 5, [2, 3], 4);
            var vs = RandD(10, 2, 5, 3);
            GradOk(a =>
            {
                using var on = GradMode.EnableGrad();
                var l = Losses.CrossEntropy(a[0], ts, w, labelSmoothing: 0.2, reduction: r);
                var gx = Autograd.Grad([r == Reduction.None ? l.Mul(RandD(11, 2, 3)).Sum() : l], [a[0]], createGraph: true, retainGraph: true)[0]!;
                return gx.Mul(vs).Sum();
            }, RandD(12, 2, 5, 3));
            // and the same second derivative as the composed oracle
            var x1 = RandD(3, 6, 5).RequireGrad();
            var x2 = RandD(3, 6, 5).RequireGrad();
            var g1 = Autograd.Grad([reduce(loss(x1))], [x1], createGraph: true, retainGraph: true)[0]!.Mul(v).Sum();
            var g2 = Autograd.Grad([reduce(Losses.CrossEntropyComposed(x2, t, w, labelSmoothing: 0.2, reduction: r))], [x2], createGraph: true, retainGraph: true)[0]!.Mul(v).Sum();
            Close(Autograd.Grad([g2], [x2])[0]!.ToDoubleArray(), Autograd.Grad([g1], [x1])[0]!.ToDoubleArray(), 1e-10, 1e-12, $"{r} second derivative");
        }
    }
}
