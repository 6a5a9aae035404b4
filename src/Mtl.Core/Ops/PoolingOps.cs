// Differentiable 2-D pooling: max (argmax routing), average (count_include_pad) and adaptive average, PyTorch semantics.
using Mtl.Kernels;

namespace Mtl;

/// <summary>
/// Pooling over the last two dimensions of (N, C, H, W) or (C, H, W) inputs, ceil_mode = false. Each backward is an op
/// whose own backward is the forward again (scatter ↔ gather, average ↔ its adjoint), so double backward works.
/// </summary>
public static class PoolingOps
{
    /// <summary>
    /// Max over kH×kW windows moved by the stride (default: the kernel size); padding counts as −∞. The gradient goes
    /// to the first maximum of each window (row-major), like PyTorch.
    /// </summary>
    public static Tensor MaxPool2d(this Tensor x, int kernelH, int kernelW, int? strideH = null, int? strideW = null, int padH = 0, int padW = 0) =>
        x.MaxPool2dWithIndices(kernelH, kernelW, strideH, strideW, padH, padW).Values;

    /// <summary>Square max pool with stride = kernel and no padding.</summary>
    public static Tensor MaxPool2d(this Tensor x, int kernel) => x.MaxPool2d(kernel, kernel);

    /// <summary>
    /// <see cref="MaxPool2d(Tensor, int, int, int?, int?, int, int)"/> that also returns the Int32 argmax of each window as
    /// a flat index h·W + w into its input plane (PyTorch's return_indices).
    /// </summary>
    public static (Tensor Values, Tensor Indices) MaxPool2dWithIndices(this Tensor x, int kernelH, int kernelW, int? strideH = null,
        int? strideW = null, int padH = 0, int padW = 0)
    {
        const string op = "max_pool2d";
        var geo = Validate(op, x, kernelH, kernelW, strideH ?? kernelH, strideW ?? kernelW, padH, padW);
        var x4 = x.Rank == 3 ? x.Unsqueeze(0) : x;
        var (y, idx) = MaxCore(x4, geo);
        return x.Rank == 3 ? (y.Squeeze(0), idx.Squeeze(0)) : (y, idx);
    }

    /// <summary>
    /// Mean over kH×kW windows moved by the stride (default: the kernel size) with zero padding included in the
    /// divisor (count_include_pad = true).
    /// </summary>
    public static Tensor AvgPool2d(this Tensor x, int kernelH, int kernelW, int? strideH = null, int? strideW = null, int padH = 0, int padW = 0)
    {
        const string op = "avg_pool2d";
        var geo = Validate(op, x, kernelH, kernelW, strideH ?? kernelH, strideW ?? kernelW, padH, padW);
        return Planar(x, x4 => Avg(x4, AvgWindows.ForPool(geo), op));
    }

    /// <summary>Square average pool with stride = kernel and no padding.</summary>
    public static Tensor AvgPool2d(this Tensor x, int kernel) => x.AvgPool2d(kernel, kernel);

    /// <summary>
    /// Averages into an outH×outW grid: output (i, j) averages rows [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉) and the matching
    /// columns (bins may overlap when the sizes do not divide).
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(this Tensor x, int outH, int outW)
    {
        const string op = "adaptive_avg_pool2d";
        RequirePlanes(op, x);
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"{op}: output size ({outH}, {outW}) must be positive (input {x.ShapeString})");
        if (x.Shape[^2] == 0 || x.Shape[^1] == 0)
            throw new ArgumentException($"{op}: input {x.ShapeString} has an empty spatial dimension");
        var win = AvgWindows.ForAdaptive(x.Shape[^2], x.Shape[^1], outH, outW);
        return Planar(x, x4 => Avg(x4, win, op));
    }

    private static Tensor Planar(Tensor x, Func<Tensor, Tensor> f) => x.Rank == 3 ? f(x.Unsqueeze(0)).Squeeze(0) : f(x);

    // ---- max: forward with argmax, scatter (its backward) and gather (the scatter's backward) ----

    private static (Tensor Values, Tensor Indices) MaxCore(Tensor x, PoolGeometry geo)
    {
        int n = x.Shape[0], c = x.Shape[1];
        int[] outShape = [n, c, geo.Hout, geo.Wout];
        var y = Tensor.Empty(outShape, x.DType);
        var idx = Tensor.Empty(outShape, DType.Int32);
        var xd = Dense(x);
        if (x.DType == DType.Float32) PoolKernels.MaxForward(xd.Array<float>(), xd.Offset, n * c, geo, y.Array<float>(), idx.Array<int>());
        else PoolKernels.MaxForward(xd.Array<double>(), xd.Offset, n * c, geo, y.Array<double>(), idx.Array<int>());
        if (Autograd.ShouldRecord(x))
        {
            var inShape = x.ShapeArray;
            Autograd.Record(y, "max_pool2d", [x], g => [ScatterPlanes(g, idx, inShape)], idx);
        }
        return (y, idx);
    }

    /// <summary>(N, C, H, W) zeros with g (N, C, Ho, Wo) added at the argmax positions.</summary>
    private static Tensor ScatterPlanes(Tensor g, Tensor idx, int[] inShape)
    {
        var r = Tensor.Empty(inShape, g.DType);
        var gd = Dense(g);
        int planes = inShape[0] * inShape[1], inPlane = inShape[2] * inShape[3], outPlane = idx.Shape[2] * idx.Shape[3];
        if (g.DType == DType.Float32) PoolKernels.ScatterAdd(gd.Array<float>(), gd.Offset, idx.Array<int>(), planes, outPlane, r.Array<float>(), inPlane);
        else PoolKernels.ScatterAdd(gd.Array<double>(), gd.Offset, idx.Array<int>(), planes, outPlane, r.Array<double>(), inPlane);
        if (Autograd.ShouldRecord(g)) Autograd.Record(r, "max_pool2d_backward", [g], h => [GatherPlanes(h, idx)], idx);
        return r;
    }

    /// <summary>(N, C, Ho, Wo) values of h (N, C, H, W) at the argmax positions.</summary>
    private static Tensor GatherPlanes(Tensor h, Tensor idx)
    {
        var r = Tensor.Empty(idx.ShapeArray, h.DType);
        var hd = Dense(h);
        int planes = idx.Shape[0] * idx.Shape[1], inPlane = h.Shape[2] * h.Shape[3], outPlane = idx.Shape[2] * idx.Shape[3];
        if (h.DType == DType.Float32) PoolKernels.Gather(hd.Array<float>(), hd.Offset, idx.Array<int>(), planes, outPlane, inPlane, r.Array<float>());
        else PoolKernels.Gather(hd.Array<double>(), hd.Offset, idx.Array<int>(), planes, outPlane, inPlane, r.Array<double>());
        if (Autograd.ShouldRecord(h))
        {
            var inShape = h.ShapeArray;
            Autograd.Record(r, "max_pool2d_gather", [h], g => [ScatterPlanes(g, idx, inShape)], idx);
        }
        return r;
    }

    // ---- averages: forward and adjoint, each the other's backward ----

    private static Tensor Avg(Tensor x, AvgWindows win, string op)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var y = Tensor.Empty([n, c, win.Hout, win.Wout], x.DType);
        var xd = Dense(x);
        if (x.DType == DType.Float32) PoolKernels.AvgForward(xd.Array<float>(), xd.Offset, n * c, win, y.Array<float>());
        else PoolKernels.AvgForward(xd.Array<double>(), xd.Offset, n * c, win, y.Array<double>());
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, op, [x], g => [AvgAdjoint(g, win, op)]);
        return y;
    }

    private static Tensor AvgAdjoint(Tensor g, AvgWindows win, string op)
    {
        int n = g.Shape[0], c = g.Shape[1];
        var dx = Tensor.Empty([n, c, win.H, win.W], g.DType);
        var gd = Dense(g);
        if (g.DType == DType.Float32) PoolKernels.AvgAdjoint(gd.Array<float>(), gd.Offset, n * c, win, dx.Array<float>());
        else PoolKernels.AvgAdjoint(gd.Array<double>(), gd.Offset, n * c, win, dx.Array<double>());
        if (Autograd.ShouldRecord(g)) Autograd.Record(dx, op + "_backward", [g], h => [Avg(h, win, op)]);
        return dx;
    }

    // ---- validation ----

    private static void RequirePlanes(string op, Tensor x)
    {
        if (x.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: input must be (N, C, H, W) or (C, H, W), got {x.ShapeString}");
        FloatCheck.Require(op, x);
    }

    private static PoolGeometry Validate(string op, Tensor x, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        RequirePlanes(op, x);
        if (kh <= 0 || kw <= 0) throw new ArgumentException($"{op}: kernel ({kh}, {kw}) must be positive (input {x.ShapeString})");
        if (sh <= 0 || sw <= 0) throw new ArgumentException($"{op}: stride ({sh}, {sw}) must be positive (input {x.ShapeString}, kernel ({kh}, {kw}))");
        if (ph < 0 || pw < 0 || ph > kh / 2 || pw > kw / 2)
            throw new ArgumentException($"{op}: padding ({ph}, {pw}) must be between 0 and half the kernel ({kh}, {kw}) (input {x.ShapeString})");
        int h = x.Shape[^2], w = x.Shape[^1];
        if (h == 0 || w == 0) throw new ArgumentException($"{op}: input {x.ShapeString} has an empty spatial dimension");
        if (h + 2 * ph < kh || w + 2 * pw < kw)
            throw new ArgumentException($"{op}: input {x.ShapeString} padded by ({ph}, {pw}) is smaller than the kernel ({kh}, {kw}): output size would be ≤ 0");
        return new PoolGeometry(h, w, kh, kw, sh, sw, ph, pw);
    }

    private static Tensor Dense(Tensor t)
    {
        if (t.IsContiguous) return t;
        using (GradMode.NoGrad()) return t.Detach().Contiguous();
    }
}
