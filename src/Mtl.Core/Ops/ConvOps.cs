// Differentiable 2-D convolution (PyTorch's conv2d semantics) and its two gradient ops, which differentiate each other.
using Mtl.Kernels;

namespace Mtl;

/// <summary>
/// Convolution. The backward of conv2d is expressed through two ops, the input gradient convᵀ(gy, w) and the weight
/// gradient (x ⋆ gy), whose own backwards are conv2d and each other, so double backward works.
/// </summary>
public static class ConvOps
{
    /// <summary>
    /// 2-D cross-correlation of input (N, C_in, H, W) — or unbatched (C_in, H, W) — with weight (C_out, C_in/groups, kH, kW)
    /// plus optional bias (C_out), zero padding. Output (N, C_out, H_out, W_out) with
    /// H_out = ⌊(H + 2·padH − dilationH·(kH − 1) − 1) / strideH⌋ + 1 (likewise W_out).
    /// </summary>
    public static Tensor Conv2d(this Tensor input, Tensor weight, Tensor? bias = null, int strideH = 1, int strideW = 1,
        int padH = 0, int padW = 0, int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        var geo = Validate(input, weight, bias, strideH, strideW, padH, padW, dilationH, dilationW, groups);
        if (input.Rank == 3) return Conv(input.Unsqueeze(0), weight, bias, geo).Squeeze(0);
        return Conv(input, weight, bias, geo);
    }

    /// <summary>conv2d on validated operands: (N, Cin, H, W) ⋆ (Cout, CinG, KH, KW) + b.</summary>
    internal static Tensor Conv(Tensor x, Tensor w, Tensor? b, ConvGeometry geo)
    {
        var y = ConvKernels.Forward(x, w, b, geo); // (N, Cout, Hout, Wout)
        bool record = b is null ? Autograd.ShouldRecord(x, w) : Autograd.ShouldRecord([x, w, b]);
        if (!record) return y;
        Tensor[] inputs = b is null ? [x, w] : [x, w, b];
        return Autograd.Record(y, "conv2d", inputs, gy =>
        {
            var grads = new Tensor?[inputs.Length];
            if (x.RequiresGrad) grads[0] = InputGrad(gy, w, geo);
            if (w.RequiresGrad) grads[1] = WeightGrad(x, gy, geo);
            if (b is not null && b.RequiresGrad)
                grads[2] = GradMode.IsEnabled ? gy.Sum([0, 2, 3]) : ConvKernels.BiasGrad(gy, geo);
            return grads;
        }, x, w);
    }

    /// <summary>(N, Cin, H, W) gradient of conv2d with respect to its input: linear in gy and in w.</summary>
    internal static Tensor InputGrad(Tensor gy, Tensor w, ConvGeometry geo)
    {
        var dx = ConvKernels.InputGrad(gy, w, geo);
        if (!Autograd.ShouldRecord(gy, w)) return dx;
        return Autograd.Record(dx, "conv2d_input_grad", [gy, w], h =>
        [
            gy.RequiresGrad ? Conv(h, w, null, geo) : null,
            w.RequiresGrad ? WeightGrad(h, gy, geo) : null,
        ], gy, w);
    }

    /// <summary>(Cout, CinG, KH, KW) gradient of conv2d with respect to its weight: linear in x and in gy.</summary>
    internal static Tensor WeightGrad(Tensor x, Tensor gy, ConvGeometry geo)
    {
        var dw = ConvKernels.WeightGrad(x, gy, geo);
        if (!Autograd.ShouldRecord(x, gy)) return dw;
        return Autograd.Record(dw, "conv2d_weight_grad", [x, gy], h =>
        [
            x.RequiresGrad ? InputGrad(gy, h, geo) : null,
            gy.RequiresGrad ? Conv(x, h, null, geo) : null,
        ], x, gy);
    }

    private static ConvGeometry Validate(Tensor x, Tensor w, Tensor? b, int sh, int sw, int ph, int pw, int dh, int dw, int groups)
    {
        const string op = "conv2d";
        if (x.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: input must be (N, C, H, W) or (C, H, W), got {x.ShapeString} (weight {w.ShapeString})");
        if (w.Rank != 4)
            throw new ArgumentException($"{op}: weight must be (C_out, C_in/groups, kH, kW), got {w.ShapeString} (input {x.ShapeString})");
        FloatCheck.Require(op, x, w);
        if (sh <= 0 || sw <= 0) throw new ArgumentException($"{op}: stride must be positive, got ({sh}, {sw}) for input {x.ShapeString}, weight {w.ShapeString}");
        if (dh <= 0 || dw <= 0) throw new ArgumentException($"{op}: dilation must be positive, got ({dh}, {dw}) for input {x.ShapeString}, weight {w.ShapeString}");
        if (ph < 0 || pw < 0) throw new ArgumentException($"{op}: padding must be non-negative, got ({ph}, {pw}) for input {x.ShapeString}, weight {w.ShapeString}");
        if (groups <= 0) throw new ArgumentException($"{op}: groups must be positive, got {groups} for input {x.ShapeString}, weight {w.ShapeString}");
        int lead = x.Rank - 3;
        int n = lead == 1 ? x.Shape[0] : 1, c = x.Shape[lead], h = x.Shape[lead + 1], wd = x.Shape[lead + 2];
        int cout = w.Shape[0], cing = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        if (c % groups != 0)
            throw new ArgumentException($"{op}: input {x.ShapeString} has {c} channels, not divisible by groups={groups} (weight {w.ShapeString})");
        if (cing * groups != c)
            throw new ArgumentException($"{op}: input {x.ShapeString} has {c} channels but weight {w.ShapeString} expects {cing * groups} (groups={groups})");
        if (cout % groups != 0)
            throw new ArgumentException($"{op}: weight {w.ShapeString} has {cout} output channels, not divisible by groups={groups} (input {x.ShapeString})");
        if (kh == 0 || kw == 0) throw new ArgumentException($"{op}: weight {w.ShapeString} has an empty kernel (input {x.ShapeString})");
        if (b is not null)
        {
            FloatCheck.Require(op, x, b);
            if (b.Rank != 1 || b.Shape[0] != cout)
                throw new ArgumentException($"{op}: bias {b.ShapeString} does not match the {cout} output channels of weight {w.ShapeString}");
        }
        long spanH = (long)dh * (kh - 1) + 1, spanW = (long)dw * (kw - 1) + 1;
        if (h + 2L * ph < spanH || wd + 2L * pw < spanW)
            throw new ArgumentException(
                $"{op}: input {x.ShapeString} padded by ({ph}, {pw}) is smaller than the dilated kernel ({spanH}, {spanW}) of weight {w.ShapeString}: output size would be ≤ 0");
        return new ConvGeometry(n, c, h, wd, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups);
    }
}
