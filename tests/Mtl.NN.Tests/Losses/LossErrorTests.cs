// Bad arguments: every loss raises a typed exception whose message names the loss and the shapes or values involved.
namespace Mtl.NN.Tests.LossTests;

public class LossErrorTests
{
    private static void Throws<TException>(Action a, params string[] parts) where TException : Exception
    {
        var e = Assert.Throws<TException>(a);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Out_of_range_class_index_names_the_loss_label_position_and_class_count()
    {
        var x = Tensor.Zeros([3, 4]);
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, Tensor.From(new[] { 0, -100, 4 }, 3)),
            "cross_entropy", "target 4", "position [2]", "C = 4", "[0, 3]");
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, Tensor.From(new[] { -1, 0, 0 }, 3)), "cross_entropy", "target -1", "position [0]");
        // a custom ignoreIndex: -100 is then an ordinary (bad) label
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, Tensor.From(new[] { 0, -100, 1 }, 3), ignoreIndex: 1), "target -100", "ignoreIndex 1");
        var xs = Tensor.Zeros([2, 3, 2, 2]);
        var ts = Tensor.From(new[] { 0, 1, 2, 0, 1, 7, 0, 0 }, 2, 2, 2);
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(xs, ts), "cross_entropy", "target 7", "position [1, 0, 1]", "C = 3");
        Throws<ArgumentOutOfRangeException>(() => Losses.NllLoss(x, Tensor.From(new[] { 0, 9, 0 }, 3)), "nll_loss", "target 9", "position [1]");
    }

    [Fact]
    public void Class_target_shape_and_dtype_errors()
    {
        var x = Tensor.Zeros([3, 4]);
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([4], DType.Int32)), "cross_entropy", "(4,)", "(3, 4)", "(3,)");
        Throws<ArgumentException>(() => Losses.CrossEntropy(Tensor.Zeros([2, 3, 5]), Tensor.Zeros([2, 4], DType.Int32)), "(2, 4)", "(2, 3, 5)", "(2, 5)");
        // a float target is read as probabilities: it must then have the logits' shape
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([3])), "cross_entropy", "probabilities", "(3, 4)", "(3,)", "Int32");
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([3, 4], DType.Float64)), "cross_entropy", "Float64");
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([3, 4]), ignoreIndex: 0), "cross_entropy", "ignoreIndex");
        Throws<ArgumentException>(() => Losses.NllLoss(x, Tensor.Zeros([3])), "nll_loss", "Int32", "Float32 (3,)");
        Throws<ArgumentException>(() => Losses.CrossEntropy(Tensor.Zeros([3, 4], DType.Int32), Tensor.Zeros([3], DType.Int32)), "cross_entropy", "Int32");
        Throws<ArgumentException>(() => Losses.CrossEntropy(Tensor.Scalar(1), Tensor.Zeros([], DType.Int32)), "cross_entropy", "class dimension");
    }

    [Fact]
    public void Class_weight_and_smoothing_errors()
    {
        var x = Tensor.Zeros([3, 4]);
        var t = Tensor.Zeros([3], DType.Int32);
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, t, Tensor.Ones([3])), "cross_entropy", "weight (3,)", "(4)");
        Throws<ArgumentException>(() => Losses.NllLoss(x, t, Tensor.Ones([4], DType.Float64)), "nll_loss", "Float64");
        Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros([3, 4]), Tensor.Ones([2, 2])), "cross_entropy", "weight (2, 2)");
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, t, labelSmoothing: 1.5), "cross_entropy", "labelSmoothing", "1.5");
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, t, labelSmoothing: double.NaN), "labelSmoothing");
        Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, t, reduction: (Reduction)7), "cross_entropy", "reduction");
    }

    [Fact]
    public void Regression_losses_require_equal_shapes_and_float_targets()
    {
        var a = Tensor.Zeros([3]);
        var b = Tensor.Zeros([3, 1]);
        Throws<ArgumentException>(() => Losses.Mse(a, b), "mse_loss", "(3,)", "(3, 1)", "same shape");
        Throws<ArgumentException>(() => Losses.L1(b, a), "l1_loss", "(3, 1)", "(3,)");
        Throws<ArgumentException>(() => Losses.Huber(a, Tensor.Zeros([1])), "huber_loss", "(1,)");
        Throws<ArgumentException>(() => Losses.SmoothL1(a, b), "smooth_l1_loss");
        Throws<ArgumentException>(() => Losses.Mse(a, Tensor.Zeros([3], DType.Int32)), "mse_loss", "Int32", "class indices");
        Throws<ArgumentException>(() => Losses.Mse(a, Tensor.Zeros([3], DType.Float64)), "mse_loss", "Float64");
        Throws<ArgumentException>(() => Losses.L1(Tensor.Zeros([3], DType.Int32), Tensor.Zeros([3], DType.Int32)), "l1_loss", "Int32");
        Throws<ArgumentOutOfRangeException>(() => Losses.Huber(a, a, delta: 0), "huber_loss", "delta");
        Throws<ArgumentOutOfRangeException>(() => Losses.SmoothL1(a, a, beta: -1), "smooth_l1_loss", "beta");
    }

    [Fact]
    public void Binary_loss_errors()
    {
        var x = Tensor.Zeros([2, 3]);
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(x, Tensor.Zeros([3])), "binary_cross_entropy_with_logits", "(2, 3)", "(3,)");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(x, Tensor.Zeros([2, 3], DType.Int32)), "binary_cross_entropy_with_logits", "Int32");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(x, x, posWeight: Tensor.Ones([2])), "posWeight (2,)", "(2, 3)");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(x, x, weight: Tensor.Ones([4, 2, 3])), "weight (4, 2, 3)");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropy(Tensor.From(new float[] { 0.5f, 1.5f }), Tensor.Zeros([2])),
            "binary_cross_entropy", "[0, 1]", "1.5", "position [1]");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropy(Tensor.From(new float[] { float.NaN }, 1), Tensor.Zeros([1])), "binary_cross_entropy", "NaN");
        Throws<ArgumentException>(() => Losses.BinaryCrossEntropy(x, Tensor.Zeros([2, 3, 1])), "binary_cross_entropy", "(2, 3, 1)");
    }

    [Fact]
    public void Divergence_errors()
    {
        var x = Tensor.Zeros([2, 3]);
        Throws<ArgumentException>(() => Losses.KlDivergence(x, Tensor.Zeros([3])), "kl_div", "(2, 3)", "(3,)");
        Throws<ArgumentOutOfRangeException>(() => Losses.KlDivergence(x, x, (KlReduction)9), "kl_div", "reduction");
        Throws<ArgumentException>(() => Losses.DistillationKl(x, Tensor.Zeros([2, 4])), "distillation_kl", "(2, 3)", "(2, 4)");
        Throws<ArgumentException>(() => Losses.DistillationKl(Tensor.Zeros([3]), Tensor.Zeros([3])), "distillation_kl", "(N, C)", "(3,)");
        Throws<ArgumentException>(() => Losses.DistillationKl(x, Tensor.Zeros([2, 3], DType.Float64)), "distillation_kl", "Float64");
        Throws<ArgumentOutOfRangeException>(() => Losses.DistillationKl(x, x, 0), "distillation_kl", "temperature");
    }
}
