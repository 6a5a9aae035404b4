// conv2d: finite-difference gradient checks over strides, padding, dilation, groups and layouts; values; bad inputs.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class ConvTests
{
    // (strideH, strideW, padH, padW, dilationH, dilationW, groups, bias, batch)
    public static TheoryData<int, int, int, int, int, int, int, bool, int> Grid => new()
    {
        { 1, 1, 0, 0, 1, 1, 1, true, 1 },
        { 2, 2, 1, 1, 1, 1, 1, false, 3 },
        { 1, 1, 2, 2, 2, 2, 1, true, 3 },
        { 2, 2, 0, 0, 2, 2, 2, true, 1 },
        { 1, 1, 1, 1, 1, 1, 2, false, 3 },
        { 2, 2, 2, 2, 1, 1, 4, true, 3 },  // depthwise
        { 1, 1, 1, 1, 2, 2, 4, false, 1 }, // depthwise, dilated
        { 1, 2, 0, 1, 2, 1, 1, true, 3 },  // every setting differs between H and W
        { 2, 1, 2, 0, 1, 2, 2, true, 1 },
    };

    /// <summary>
    /// conv2d is linear in each operand (quadratic for double backward), so central differences are exact up to rounding
    /// and a large step keeps the rounding noise of sums over many outputs far below the tolerance.
    /// </summary>
    private static void LinearGradOk(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs, eps: 1e-3);
        Assert.True(r.Passed, $"gradient check failed: {r.Detail} (max abs {r.MaxAbsError:G3}, max rel {r.MaxRelError:G3})");
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void Gradients_match_finite_differences(int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool bias, int batch)
    {
        const int cin = 4, cout = 4;
        var x = RandD(1, batch, cin, 7, 6);
        var w = RandD(2, cout, cin / groups, 3, 2); // non-square kernel
        if (bias)
            LinearGradOk(t => t[0].Conv2d(t[1], t[2], sh, sw, ph, pw, dh, dw, groups), x, w, RandD(3, cout));
        else
            LinearGradOk(t => t[0].Conv2d(t[1], null, sh, sw, ph, pw, dh, dw, groups), x, w);
    }

    [Fact]
    public void Gradients_through_non_contiguous_input_and_weight()
    {
        // x arrives as a (N, H, W, C) tensor permuted to (N, C, H, W); w as (kH, kW, Cout, Cin) permuted.
        var xNhwc = RandD(4, 3, 6, 5, 2);
        var wHwoi = RandD(5, 2, 3, 3, 2);
        LinearGradOk(t => t[0].Permute(0, 3, 1, 2).Conv2d(t[1].Permute(2, 3, 0, 1), t[2], padH: 1, padW: 1), xNhwc, wHwoi, RandD(6, 3));
        LinearGradOk(t => t[0].Conv2d(t[1], null, strideH: 2, strideW: 2), StridedD(7, 2, 2, 6, 5), RandD(8, 3, 2, 2, 2));
        // A permuted output hands conv2d's backward a non-contiguous gradient.
        LinearGradOk(t => t[0].Conv2d(t[1], t[2], padH: 1).Permute(0, 2, 3, 1), RandD(9, 2, 2, 5, 4), RandD(10, 3, 2, 3, 3), RandD(11, 3));
    }

    [Fact]
    public void Unbatched_input_gives_unbatched_output()
    {
        var x = RandD(9, 2, 5, 5);
        var w = RandD(10, 3, 2, 3, 3);
        var y = x.Conv2d(w, padH: 1, padW: 1);
        Assert.Equal([3, 5, 5], y.Shape.ToArray());
        Close(x.Unsqueeze(0).Conv2d(w, padH: 1, padW: 1).Squeeze(0).ToArray<double>(), y.ToArray<double>());
        LinearGradOk(t => t[0].Conv2d(t[1], null, 2, 1, 1, 0), x, w);
    }

    [Fact]
    public void Double_backward_matches_finite_differences()
    {
        var x = RandD(11, 2, 2, 5, 4);
        var w = RandD(12, 4, 1, 2, 3);
        var b = RandD(13, 4);
        // d/dx and d/dw of L = Σ conv(x, w, b)², themselves checked by finite differences.
        Tensor Loss(Tensor[] t) => t[0].Conv2d(t[1], t[2], 1, 2, 1, 1, groups: 2).Square().Sum();
        LinearGradOk(t =>
        {
            using var _ = GradMode.EnableGrad();
            return Autograd.Grad([Loss(t)], [t[0]], retainGraph: true, createGraph: true)[0]!;
        }, x, w, b);
        LinearGradOk(t =>
        {
            using var _ = GradMode.EnableGrad();
            return Autograd.Grad([Loss(t)], [t[1]], retainGraph: true, createGraph: true)[0]!;
        }, x, w, b);
    }

    [Fact]
    public void Small_case_matches_hand_computed_values()
    {
        // x = 1..9 as 3×3, w = [[1, 2], [3, 4]], b = 0.5: y[i, j] = Σ w·window + b.
        var x = Tensor.From(Enumerable.Range(1, 9).Select(v => (double)v).ToArray(), 1, 1, 3, 3);
        var w = Tensor.From(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        var y = x.Conv2d(w, Tensor.From(new double[] { 0.5 }, 1));
        Close([37.5, 47.5, 67.5, 77.5], y.ToArray<double>());
        // Stride 2 with padding 1 reads a zero border: windows at (−1, −1), (−1, 1), (1, −1), (1, 1).
        var y2 = x.Conv2d(w, null, 2, 2, 1, 1);
        Close([4, 18, 36, 77], y2.ToArray<double>());
    }

    public static TheoryData<int[], int[], int[]?, int, int, int, string[]> BadInputs => new()
    {
        // x shape, w shape, bias shape, stride, dilation, groups, fragments the message must contain
        { [2, 3, 8], [4, 3, 3, 3], null, 1, 1, 1, ["conv2d", "(2, 3, 8)"] },
        { [1, 2, 3, 8, 8], [4, 3, 3, 3], null, 1, 1, 1, ["conv2d", "(1, 2, 3, 8, 8)"] },
        { [2, 3, 8, 8], [4, 3, 3], null, 1, 1, 1, ["conv2d", "(4, 3, 3)"] },
        { [2, 3, 8, 8], [4, 2, 3, 3], null, 1, 1, 1, ["conv2d", "(2, 3, 8, 8)", "(4, 2, 3, 3)", "3 channels", "expects 2"] },
        { [2, 3, 8, 8], [4, 1, 3, 3], null, 1, 1, 2, ["conv2d", "(2, 3, 8, 8)", "not divisible by groups=2"] },
        { [2, 4, 8, 8], [3, 2, 3, 3], null, 1, 1, 2, ["conv2d", "(3, 2, 3, 3)", "not divisible by groups=2"] },
        { [2, 3, 4, 4], [4, 3, 5, 5], null, 1, 1, 1, ["conv2d", "(2, 3, 4, 4)", "(4, 3, 5, 5)", "≤ 0"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], null, 1, 4, 1, ["conv2d", "(2, 3, 8, 8)", "(4, 3, 3, 3)", "≤ 0"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], null, 0, 1, 1, ["conv2d", "stride", "(2, 3, 8, 8)"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], null, -1, 1, 1, ["conv2d", "stride", "(4, 3, 3, 3)"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], null, 1, 0, 1, ["conv2d", "dilation", "(2, 3, 8, 8)"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], null, 1, 1, 0, ["conv2d", "groups", "(2, 3, 8, 8)"] },
        { [2, 3, 8, 8], [4, 3, 3, 3], [3], 1, 1, 1, ["conv2d", "bias (3,)", "(4, 3, 3, 3)"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_inputs_name_the_op_and_shapes(int[] xs, int[] ws, int[]? bs, int stride, int dilation, int groups, string[] fragments)
    {
        var x = Tensor.Zeros(xs);
        var w = Tensor.Zeros(ws);
        var b = bs is null ? null : Tensor.Zeros(bs);
        var e = Assert.Throws<ArgumentException>(() => x.Conv2d(w, b, stride, stride, 0, 0, dilation, dilation, groups));
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Bad_dtype_and_padding_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 4, 4], DType.Int32).Conv2d(Tensor.Zeros([1, 1, 3, 3])));
        Assert.Contains("conv2d", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 4, 4], DType.Float64).Conv2d(Tensor.Zeros([1, 1, 3, 3])));
        Assert.Contains("conv2d", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 4, 4]).Conv2d(Tensor.Zeros([1, 1, 3, 3]), padH: -1));
        Assert.Contains("padding", e.Message);
    }
}
