// Finite-difference gradient checks (float64) for the binary, regression and divergence losses over every option.
using static Mtl.NN.Tests.LossTests.LossTestUtil;

namespace Mtl.NN.Tests.LossTests;

public class LossGradTests
{
    private static readonly Reduction[] AllReductions = [Reduction.Mean, Reduction.Sum, Reduction.None];

    [Fact]
    public void Bce_with_logits_gradients_for_every_option()
    {
        var t = UniformD(2, 0, 1, 4, 3);
        foreach (var r in AllReductions)
        {
            GradOk(a => Losses.BinaryCrossEntropyWithLogits(a[0], a[1], reduction: r), RandD(1, 4, 3), t);
            GradOk(a => Losses.BinaryCrossEntropyWithLogits(a[0], a[1], reduction: r), StridedD(3, 4, 3), t);
            // weight (4, 1) and pos_weight (3) broadcast; gradients also flow into them
            GradOk(a => Losses.BinaryCrossEntropyWithLogits(a[0], a[1], a[2], a[3], r), RandD(4, 4, 3), t, UniformD(5, 0.5, 2, 4, 1), UniformD(6, 0.2, 3, 3));
            GradOk(a => Losses.BinaryCrossEntropyWithLogits(a[0], t, posWeight: a[1], reduction: r), RandD(7, 4, 3), UniformD(8, 0.2, 3, 3));
            GradOk(a => Losses.BinaryCrossEntropyWithLogits(a[0], t, weight: a[1], reduction: r), RandD(9, 4, 3), UniformD(10, 0.2, 3, 4, 3));
        }
    }

    [Fact]
    public void Bce_with_logits_is_stable_and_exact_at_zero()
    {
        // x = ±200 would overflow e^x; x = 0 has the gradient σ(0) − t = 0.5 − t (not a subgradient of |x|).
        var x = Tensor.From(new double[] { 200, -200, 0, 0 }).RequireGrad();
        var t = Tensor.From(new double[] { 0, 0, 1, 0 });
        var l = Losses.BinaryCrossEntropyWithLogits(x, t, reduction: Reduction.None);
        Close([200, 0, Math.Log(2), Math.Log(2)], l.ToDoubleArray(), 1e-15, 1e-300, "loss");
        l.Sum().Backward();
        Close([1, 0, -0.5, 0.5], x.Grad!.ToDoubleArray(), 1e-15, 1e-80, "grad");
    }

    [Fact]
    public void Bce_gradients_for_every_option()
    {
        var t = UniformD(2, 0, 1, 4, 3);
        foreach (var r in AllReductions)
        {
            GradOk(a => Losses.BinaryCrossEntropy(a[0], a[1], reduction: r), UniformD(1, 0.05, 0.95, 4, 3), t);
            GradOk(a => Losses.BinaryCrossEntropy(a[0], a[1], a[2], r), UniformD(3, 0.05, 0.95, 4, 3), t, UniformD(4, 0.5, 2, 3));
            var strided = UniformD(5, 0.05, 0.95, 3, 8).T().Slice(0, 0, 8, 2); // (4, 3) view
            GradOk(a => Losses.BinaryCrossEntropy(a[0], t, reduction: r), strided);
        }
    }

    [Fact]
    public void Bce_is_finite_at_zero_and_one_like_pytorch()
    {
        // log clamped at −100; gradient (x − t) / max(x(1 − x), 1e-12).
        var x = Tensor.From(new double[] { 0, 1, 0.5 }).RequireGrad();
        var t = Tensor.From(new double[] { 1, 0.25, 1 });
        var l = Losses.BinaryCrossEntropy(x, t, reduction: Reduction.None);
        Close([100, 75, Math.Log(2)], l.ToDoubleArray(), 1e-14, 0, "loss");
        l.Sum().Backward();
        Close([-1e12, 0.75e12, -2], x.Grad!.ToDoubleArray(), 1e-12, 0, "grad");
        // second derivative exists (createGraph) where x is inside (0, 1)
        GradOk(a =>
        {
            using var on = GradMode.EnableGrad();
            var g = Autograd.Grad([Losses.BinaryCrossEntropy(a[0], t, reduction: Reduction.Sum)], [a[0]], createGraph: true, retainGraph: true)[0]!;
            return g.Sum();
        }, UniformD(1, 0.1, 0.9, 3));
    }

    [Fact]
    public void Regression_gradients_for_every_option()
    {
        foreach (var r in AllReductions)
        {
            // x and y far enough apart that no difference sits on a kink (|d| = 0, δ or β) within ε.
            var y = RandD(2, 5, 3);
            GradOk(a => Losses.Mse(a[0], a[1], r), RandD(1, 5, 3), y);
            GradOk(a => Losses.Mse(a[0], a[1], r), StridedD(3, 5, 3), y);
            GradOk(a => Losses.L1(a[0], a[1], r), RandD(4, 5, 3), y);
            GradOk(a => Losses.L1(a[0], a[1], r), StridedD(5, 5, 3), y);
            foreach (double d in new[] { 0.3, 1.0, 2.5 })
            {
                GradOk(a => Losses.Huber(a[0], a[1], d, r), RandD(6, 5, 3), y);
                GradOk(a => Losses.Huber(a[0], a[1], d, r), StridedD(7, 5, 3), y);
            }
            foreach (double b in new[] { 0.0, 0.3, 1.0, 2.5 })
            {
                GradOk(a => Losses.SmoothL1(a[0], a[1], b, r), RandD(8, 5, 3), y);
                GradOk(a => Losses.SmoothL1(a[0], a[1], b, r), StridedD(9, 5, 3), y);
            }
        }
    }

    [Fact]
    public void Huber_and_smooth_l1_hand_values()
    {
        var x = Tensor.From(new double[] { 0.5, 3, -3 });
        var y = Tensor.Zeros([3], DType.Float64);
        // δ = 1: 0.5·0.5², 1·(3 − 0.5); β = 2: 0.5·0.5²/2, 3 − 1; β = 0: |d|
        Close([0.125, 2.5, 2.5], Losses.Huber(x, y, 1, Reduction.None).ToDoubleArray(), 1e-15, 0);
        Close([0.0625, 2, 2], Losses.SmoothL1(x, y, 2, Reduction.None).ToDoubleArray(), 1e-15, 0);
        Close([0.5, 3, 3], Losses.SmoothL1(x, y, 0, Reduction.None).ToDoubleArray(), 1e-15, 0);
        // Huber(δ) = δ·SmoothL1(β = δ)
        var a = RandD(1, 20).MulScalar(3);
        var b = RandD(2, 20);
        Close(Losses.SmoothL1(a, b, 1.7, Reduction.None).MulScalar(1.7).ToDoubleArray(), Losses.Huber(a, b, 1.7, Reduction.None).ToDoubleArray(), 1e-14, 1e-15);
    }

    [Fact]
    public void Kl_divergence_gradients_for_every_option()
    {
        foreach (var r in new[] { KlReduction.BatchMean, KlReduction.Mean, KlReduction.Sum, KlReduction.None })
        {
            GradOk(a => Losses.KlDivergence(a[0], a[1], r), RandD(1, 4, 5).LogSoftmax(1), ProbsD(2, 4, 5));
            GradOk(a => Losses.KlDivergence(a[0], a[1], r, logTarget: true), RandD(3, 4, 5).LogSoftmax(1), RandD(4, 4, 5).LogSoftmax(1));
            GradOk(a => Losses.KlDivergence(a[0], a[1], r), StridedD(5, 4, 5), UniformD(6, 0.1, 1, 4, 5));
        }
    }

    [Fact]
    public void Kl_divergence_treats_zero_target_terms_as_zero()
    {
        var input = Tensor.From(new double[] { Math.Log(0.5), Math.Log(0.5) }, 1, 2).RequireGrad();
        var target = Tensor.From(new double[] { 1, 0 }, 1, 2);
        var l = Losses.KlDivergence(input, target);
        Assert.Equal(Math.Log(2), l.Item(), 14); // 1·(log 1 − log ½) + 0
        l.Backward();
        Close([-1, 0], input.Grad!.ToDoubleArray(), 0, 1e-300);
        // batchmean = sum / N, mean = sum / numel
        var x = RandD(7, 3, 4).LogSoftmax(1);
        var p = ProbsD(8, 3, 4);
        double sum = Losses.KlDivergence(x, p, KlReduction.Sum).Item();
        Assert.Equal(sum / 3, Losses.KlDivergence(x, p).Item(), 14);
        Assert.Equal(sum / 12, Losses.KlDivergence(x, p, KlReduction.Mean).Item(), 14);
    }

    [Fact]
    public void Distillation_gradients_and_temperature_scaling()
    {
        foreach (double temperature in new[] { 1.0, 3.0 })
        {
            GradOk(a => Losses.DistillationKl(a[0], a[1], temperature), RandD(1, 4, 6), RandD(2, 4, 6));
            GradOk(a => Losses.DistillationKl(a[0], a[1], temperature), StridedD(3, 4, 6), RandD(4, 4, 6));
            GradOk(a => Losses.DistillationKl(a[0], a[1], temperature), RandD(5, 2, 3, 4), RandD(6, 2, 3, 4));
        }
        // equal logits: zero loss; and T²·KL(softmax(t/T) ‖ softmax(s/T)) by hand for one row
        var s = Tensor.From(new double[] { 1, 2, 4 }, 1, 3);
        var t = Tensor.From(new double[] { 3, 0, 1 }, 1, 3);
        Assert.Equal(0, Losses.DistillationKl(s, s, 2).Item(), 14);
        double[] Soft(double[] v, double temp) { var e = v.Select(z => Math.Exp(z / temp)).ToArray(); double z0 = e.Sum(); return e.Select(z => z / z0).ToArray(); }
        double[] ps = Soft([1, 2, 4], 2), pt = Soft([3, 0, 1], 2);
        double kl = Enumerable.Range(0, 3).Sum(i => pt[i] * Math.Log(pt[i] / ps[i]));
        Assert.Equal(4 * kl, Losses.DistillationKl(s, t, 2).Item(), 13);
    }

    [Fact]
    public void Mean_of_empty_is_nan_and_sum_is_zero_like_pytorch()
    {
        var e = Tensor.Zeros([0, 3]);
        Assert.True(double.IsNaN(Losses.Mse(e, e).Item()));
        Assert.Equal(0, Losses.L1(e, e, Reduction.Sum).Item());
        Assert.Equal([0, 3], Losses.Huber(e, e, reduction: Reduction.None).Shape.ToArray());
    }
}
