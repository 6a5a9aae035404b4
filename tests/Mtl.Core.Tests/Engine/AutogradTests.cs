// Behaviour of the autograd engine: accumulation, retain/free, Grad() without touching .Grad, NoGrad, detach, errors.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Engine;

public class AutogradTests
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls_and_zero_in_place()
    {
        var w = Tensor.From(new double[] { 1, 2, 3 }).RequireGrad();
        w.Mul(w).Sum().Backward();
        w.Sum().Backward();
        Assert.Equal(new[] { 3.0, 5, 7 }, w.Grad!.ToArray<double>());
        var buffer = w.Grad;
        w.ZeroGrad();
        Assert.Same(buffer, w.Grad);
        Assert.Equal(new[] { 0.0, 0, 0 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Shared_subexpression_gets_summed_gradient()
    {
        var x = Tensor.From(new double[] { 2 }).RequireGrad();
        var y = x.Mul(x);          // y = x²
        var z = y.Add(y.Mul(x));   // z = x² + x³ → dz/dx = 2x + 3x² = 16
        z.Sum().Backward();
        Assert.Equal(16, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Second_backward_without_retain_fails_clearly_and_retain_allows_it()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequireGrad();
        var loss = x.Exp().Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("retainGraph", e.Message);
        TestUtil.Close(x.Exp().ToArray<double>().Select(v => 2 * v).ToArray(), x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Grad_returns_per_task_gradients_without_touching_Grad()
    {
        var shared = Tensor.From(new double[] { 0.5, -1, 2 }).RequireGrad();
        var h = shared.Tanh();                  // shared representation
        var task1 = h.Mul(h).Sum();             // d/dshared = 2h(1-h²)
        var task2 = h.MulScalar(3).Sum();       // d/dshared = 3(1-h²)
        var g1 = Mtl.Autograd.Grad([task1], [shared], retainGraph: true)[0]!;
        var g2 = Mtl.Autograd.Grad([task2], [shared])[0]!;
        Assert.Null(shared.Grad);
        var hv = h.ToArray<double>();
        Close(hv.Select(v => 2 * v * (1 - v * v)).ToArray(), g1.ToArray<double>());
        Close(hv.Select(v => 3 * (1 - v * v)).ToArray(), g2.ToArray<double>());
    }

    [Fact]
    public void Grad_with_respect_to_an_intermediate_tensor()
    {
        var x = RandD(1, 4).RequireGrad();
        var h = x.MulScalar(2);
        var loss = h.Mul(h).Sum();
        var gh = Mtl.Autograd.Grad([loss], [h])[0]!;
        Close(h.ToArray<double>().Select(v => 2 * v).ToArray(), gh.ToArray<double>());
    }

    [Fact]
    public void Grad_of_unused_input_is_an_error_unless_allowed()
    {
        var a = RandD(1, 2).RequireGrad();
        var b = RandD(2, 2).RequireGrad();
        var loss = a.Sum();
        var e = Assert.Throws<InvalidOperationException>(() => Mtl.Autograd.Grad([loss], [a, b], retainGraph: true));
        Assert.Contains("input 1", e.Message);
        var r = Mtl.Autograd.Grad([loss], [a, b], allowUnused: true);
        Assert.NotNull(r[0]);
        Assert.Null(r[1]);
    }

    [Fact]
    public void Grad_with_several_outputs_and_weights()
    {
        var x = RandD(3, 3).RequireGrad();
        var y1 = x.MulScalar(2);
        var y2 = x.Square();
        var gy1 = Tensor.Full([3], 0.5, DType.Float64);
        var gy2 = Tensor.Full([3], 1, DType.Float64);
        var g = Mtl.Autograd.Grad([y1, y2], [x], [gy1, gy2])[0]!;
        Close(x.ToArray<double>().Select(v => 1 + 2 * v).ToArray(), g.ToArray<double>());
    }

    [Fact]
    public void Create_graph_gives_second_derivatives()
    {
        var x = Tensor.From(new double[] { 1.5 }).RequireGrad();
        var y = x.Pow(3).Sum();
        var dx = Mtl.Autograd.Grad([y], [x], createGraph: true)[0]!; // 3x²
        Assert.True(dx.RequiresGrad);
        var d2 = Mtl.Autograd.Grad([dx.Sum()], [x])[0]!;             // 6x
        Assert.Equal(9, d2.Item(), 12);
    }

    [Fact]
    public void Create_graph_keeps_the_first_graph_for_the_second_pass_by_default()
    {
        var x = Tensor.From(new double[] { 0.3, -0.7 }).RequireGrad();
        var y = x.Exp().Sum();
        var dx = Mtl.Autograd.Grad([y], [x], createGraph: true)[0]!;  // e^x, built on exp's saved output
        var d2 = Mtl.Autograd.Grad([dx.Sum()], [x])[0]!;                // needs exp's node again
        Close(x.ToArray<double>().Select(Math.Exp).ToArray(), d2.ToArray<double>());
    }

    [Fact]
    public void NoGrad_records_nothing_and_detach_cuts_the_graph()
    {
        var x = RandD(1, 3).RequireGrad();
        using (GradMode.NoGrad())
        {
            var y = x.Exp();
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        var d = x.Exp().Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(x.Exp().RequiresGrad);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void Backward_of_non_scalar_needs_a_gradient()
    {
        var x = RandD(1, 2, 3).RequireGrad();
        var y = x.MulScalar(2);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("not a scalar", e.Message);
        y.Backward(Tensor.OnesLike(y));
        Assert.Equal(Enumerable.Repeat(2.0, 6), x.Grad!.ToArray<double>());
        var bad = Assert.Throws<ArgumentException>(() => x.MulScalar(2).Backward(Tensor.Ones([3, 2], DType.Float64)));
        Assert.Contains("(3, 2)", bad.Message);
    }

    [Fact]
    public void Backward_on_tensor_without_grad_fails()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Ones([1]).Backward());
        Assert.Contains("does not require grad", e.Message);
    }

    [Fact]
    public void In_place_change_of_a_saved_tensor_is_detected_at_backward()
    {
        var w = RandD(1, 3).RequireGrad();
        var x = RandD(2, 3);
        var loss = w.Mul(x).Sum();      // saves x
        x.Fill(1);                      // in-place write after saving
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("mul", e.Message);
        Assert.Contains("modified in place", e.Message);
        Assert.Contains("(3,)", e.Message);
    }

    [Fact]
    public void In_place_write_to_a_leaf_requiring_grad_is_refused_outside_NoGrad()
    {
        var w = RandD(1, 3).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => w.Fill(0));
        using (GradMode.NoGrad()) w.Fill(0);
        Assert.Equal(new double[3], w.ToArray<double>());
    }

    [Fact]
    public void RequiresGrad_cannot_be_set_on_non_leaf_or_int_tensor()
    {
        var x = RandD(1, 2).RequireGrad();
        var y = x.Exp();
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2], DType.Int32).RequiresGrad = true);
    }

    [Fact]
    public void Deep_chains_do_not_overflow_the_stack()
    {
        var x = Tensor.From(new double[] { 1 }).RequireGrad();
        var y = x;
        for (int i = 0; i < 20000; i++) y = y.AddScalar(0);
        y.Sum().Backward();
        Assert.Equal(1, x.Grad!.Item());
    }

    [Fact]
    public void Float32_backward_works_end_to_end()
    {
        var w = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2).RequireGrad();
        var x = Tensor.From(new float[] { 1, 1 }, 1, 2);
        x.MatMul(w).Relu().Sum().Backward();
        Assert.Equal(new float[] { 1, 1, 1, 1 }, w.Grad!.ToArray<float>());
    }
}
