// Loss objects: each ILoss computes what its functional form computes, validates options early and outlives scopes.
using Mtl.Storage;
using static Mtl.NN.Tests.LossTests.LossTestUtil;

namespace Mtl.NN.Tests.LossTests;

public class LossObjectTests
{
    [Fact]
    public void Every_loss_object_matches_its_function()
    {
        var logits = RandD(1, 4, 3);
        var labels = Tensor.From(new[] { 0, 2, -100, 1 }, 4);
        var w = UniformD(2, 0.5, 2, 3);
        var y = RandD(3, 4, 3);
        var probs = UniformD(4, 0.1, 0.9, 4, 3);
        var logp = logits.LogSoftmax(1);
        var cases = new (ILoss Loss, Tensor Prediction, Tensor Target, Tensor Expected)[]
        {
            (new CrossEntropyLoss(w, labelSmoothing: 0.1), logits, labels, Losses.CrossEntropy(logits, labels, w, labelSmoothing: 0.1)),
            (new CrossEntropyLoss(reduction: Reduction.None), logits, labels, Losses.CrossEntropy(logits, labels, reduction: Reduction.None)),
            (new NllLoss(w, ignoreIndex: 2, Reduction.Sum), logp, Tensor.From(new[] { 0, 2, 2, 1 }, 4), Losses.NllLoss(logp, Tensor.From(new[] { 0, 2, 2, 1 }, 4), w, 2, Reduction.Sum)),
            (new BceWithLogitsLoss(posWeight: w), logits, probs, Losses.BinaryCrossEntropyWithLogits(logits, probs, posWeight: w)),
            (new BceLoss(reduction: Reduction.Sum), probs, y.Sigmoid(), Losses.BinaryCrossEntropy(probs, y.Sigmoid(), reduction: Reduction.Sum)),
            (new MseLoss(), logits, y, Losses.Mse(logits, y)),
            (new L1Loss(Reduction.None), logits, y, Losses.L1(logits, y, Reduction.None)),
            (new HuberLoss(0.5), logits, y, Losses.Huber(logits, y, 0.5)),
            (new SmoothL1Loss(0.5, Reduction.Sum), logits, y, Losses.SmoothL1(logits, y, 0.5, Reduction.Sum)),
            (new KlDivLoss(logTarget: true), logp, y.LogSoftmax(1), Losses.KlDivergence(logp, y.LogSoftmax(1), logTarget: true)),
            (new DistillationLoss(2), logits, y, Losses.DistillationKl(logits, y, 2)),
        };
        foreach (var (loss, p, t, expected) in cases)
        {
            var got = loss.Compute(p, t);
            Assert.Equal(expected.ShapeString, got.ShapeString);
            Assert.Equal(expected.ToDoubleArray(), got.ToDoubleArray());
        }
        Assert.Equal(new[] { "cross_entropy", "cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss",
            "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "distillation_kl" }, cases.Select(c => c.Loss.Name));
    }

    [Fact]
    public void Options_are_validated_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: -0.1));
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(Tensor.Ones([2, 2])));
        Assert.Throws<ArgumentException>(() => new NllLoss(Tensor.Ones([3], DType.Int32)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothL1Loss(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistillationLoss(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MseLoss((Reduction)5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KlDivLoss((KlReduction)5));
    }

    [Fact]
    public void ToString_lists_the_options()
    {
        Assert.Equal("CrossEntropyLoss(weight=(3,), ignoreIndex=-100, labelSmoothing=0.1, reduction=Mean)", new CrossEntropyLoss(Tensor.Ones([3]), labelSmoothing: 0.1).ToString());
        Assert.Equal("HuberLoss(delta=0.5, reduction=Sum)", new HuberLoss(0.5, Reduction.Sum).ToString());
        Assert.Equal("DistillationLoss(temperature=4)", new DistillationLoss(4).ToString());
    }

    [Fact]
    public void A_weight_made_inside_a_scope_outlives_it()
    {
        CrossEntropyLoss loss;
        using (TensorScope.Begin()) loss = new CrossEntropyLoss(Tensor.From(new float[] { 1, 2, 3 }));
        var x = Tensor.Zeros([2, 3]);
        var l = loss.Compute(x, Tensor.From(new[] { 1, 2 }, 2));
        Assert.Equal(Math.Log(3), l.Item(), 6); // uniform logits: −log ⅓ whatever the weights
        Assert.Equal(new float[] { 1, 2, 3 }, loss.Weight!.ToArray<float>());
    }
}
