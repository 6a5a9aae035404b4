// Differentiable layer norm and batch norm (PyTorch semantics): fused kernels forward and backward, composed for double backward.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Normalisation layers' functional forms (<c>F.layer_norm</c>, <c>F.batch_norm</c>).</summary>
public static class NormalizationOps
{
    /// <summary>
    /// Normalises x (..., *normalizedShape) over its last normalizedShape.Length dims with the biased variance:
    /// y = (x − mean) / √(var + eps) ⊙ weight + bias, weight and bias (optional) of shape normalizedShape.
    /// </summary>
    public static Tensor LayerNorm(this Tensor x, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "layer_norm";
        FloatCheck.Require(op, x);
        int k = normalizedShape.Length;
        if (k == 0)
            throw new ArgumentException($"{op}: normalizedShape must have at least one dimension (input {x.ShapeString})");
        if (k > x.Rank || !x.Shape[(x.Rank - k)..].SequenceEqual(normalizedShape))
            throw new ArgumentException($"{op}: normalizedShape {ShapeUtil.Format(normalizedShape)} does not match the trailing dimensions of input {x.ShapeString}");
        CheckParam(op, "weight", weight, x, normalizedShape);
        CheckParam(op, "bias", bias, x, normalizedShape);
        CheckEps(op, eps);
        // x (..., *normalizedShape) is normalised as dense (rows, d); mean and rstd are (rows).
        int d = ShapeUtil.Numel(normalizedShape), rows = 1;
        for (int i = 0; i < x.Rank - k; i++) rows *= x.Shape[i];

        Tensor xc = Dense(x)!;
        Tensor? wc = Dense(weight);
        var (y, mean, rstd) = LayerNormKernel.Forward(xc, wc, Dense(bias), rows, d, eps);
        var inputs = Inputs(x, weight, bias);
        if (!Autograd.ShouldRecord(inputs)) return y;

        var axes = Enumerable.Range(x.Rank - k, k).ToArray();
        var paramShape = normalizedShape.ToArray();
        return Autograd.Record(y, op, inputs, g =>
        {
            bool nx = x.RequiresGrad, nw = weight?.RequiresGrad == true, nb = bias?.RequiresGrad == true;
            Tensor? dx, dw, db;
            if (GradMode.IsEnabled)
            {
                var (xhat, r) = Standardise(x, axes, eps);
                dx = nx ? InputGrad(g, weight, xhat, r, axes) : null;
                dw = nw ? g.Mul(xhat).SumToShape(paramShape) : null;
                db = nb ? g.SumToShape(paramShape) : null;
            }
            else (dx, dw, db) = LayerNormKernel.Backward(xc, wc, g, mean, rstd, rows, d, paramShape, nx, nw, nb);
            return Pack(dx, weight, dw, bias, db);
        }, Saved(x, weight, mean, rstd));
    }

    /// <summary>
    /// Batch normalisation of x (N, C), (N, C, L) or (N, C, H, W) per channel C over all other dims.
    /// Training: normalises with the batch mean and biased variance and, when running buffers are given, updates them in
    /// place: running = (1 − momentum)·running + momentum·batch (unbiased variance for runningVar). Eval: normalises with
    /// the running statistics. weight, bias (C) are optional; running buffers are 1-D (C) Float32/Float64 tensors.
    /// </summary>
    public static Tensor BatchNorm(this Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training,
        double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "batch_norm";
        FloatCheck.Require(op, x);
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: expects input (N, C), (N, C, L) or (N, C, H, W), got {x.ShapeString}");
        var (n, c, s) = BatchNormKernel.Dims(x.Shape); // x (N, C, *spatial) is normalised as dense (N, C, S); stats are (C)
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: runningMean and runningVar must be given together (runningMean {runningMean?.ShapeString ?? "null"}, runningVar {runningVar?.ShapeString ?? "null"})");
        CheckChannels(op, "runningMean", runningMean, x, c, buffer: true);
        CheckChannels(op, "runningVar", runningVar, x, c, buffer: true);
        CheckChannels(op, "weight", weight, x, c, buffer: false);
        CheckChannels(op, "bias", bias, x, c, buffer: false);
        CheckEps(op, eps);
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{op}: momentum must be in [0, 1], got {momentum}");
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: eval mode (training: false) needs runningMean and runningVar, got none for input {x.ShapeString}");
        long count = (long)n * s;
        if (training && count <= 1)
            throw new ArgumentException($"{op}: Expected more than 1 value per channel when training, got input {x.ShapeString}");

        Tensor xc = Dense(x)!;
        Tensor? wc = Dense(weight);
        double[]? rm = training ? null : BatchNormKernel.ReadVector(runningMean!), rv = training ? null : BatchNormKernel.ReadVector(runningVar!);
        var (y, mean, rstd, batchVar) = BatchNormKernel.Forward(xc, wc, Dense(bias), training, rm, rv, eps);
        if (training && runningMean is not null) UpdateRunning(runningMean, runningVar!, mean, batchVar!, count, momentum);
        var inputs = Inputs(x, weight, bias);
        if (!Autograd.ShouldRecord(inputs)) return y;

        return Autograd.Record(y, op, inputs, g =>
        {
            bool nx = x.RequiresGrad, nw = weight?.RequiresGrad == true, nb = bias?.RequiresGrad == true;
            var (dx, dw, db) = GradMode.IsEnabled
                ? BatchNormComposed(x, weight, g, mean, rstd, training, eps, nx, nw, nb)
                : BatchNormKernel.Backward(xc, wc, g, mean, rstd, training, nx, nw, nb);
            return Pack(dx, weight, dw, bias, db);
        }, Saved(x, weight, mean, rstd));
    }

    // running = (1 − m)·running + m·batch, with the unbiased batch variance (count/(count − 1)·biased), as PyTorch.
    private static void UpdateRunning(Tensor runningMean, Tensor runningVar, Tensor batchMean, double[] batchVar, long count, double momentum)
    {
        using var _ = GradMode.NoGrad();
        var m = BatchNormKernel.ReadVector(runningMean);
        var v = BatchNormKernel.ReadVector(runningVar);
        var bm = batchMean.ToDoubleArray();
        double unbias = count / (count - 1.0);
        for (int ch = 0; ch < m.Length; ch++)
        {
            m[ch] = (1 - momentum) * m[ch] + momentum * bm[ch];
            v[ch] = (1 - momentum) * v[ch] + momentum * batchVar[ch] * unbias;
        }
        BatchNormKernel.WriteVector(runningMean, m);
        BatchNormKernel.WriteVector(runningVar, v);
    }

    // The batch-norm backward from differentiable ops (createGraph). Eval statistics are constants.
    private static (Tensor? Dx, Tensor? Dw, Tensor? Db) BatchNormComposed(Tensor x, Tensor? weight, Tensor g, Tensor mean, Tensor rstd,
        bool training, double eps, bool nx, bool nw, bool nb)
    {
        var axes = Enumerable.Range(0, x.Rank).Where(i => i != 1).ToArray();
        var bshape = Enumerable.Repeat(1, x.Rank).ToArray();
        bshape[1] = x.Shape[1];
        var w = weight?.Reshape(bshape);                        // (1, C, 1, ...)
        Tensor xhat, r;
        if (training) (xhat, r) = Standardise(x, axes, eps);
        else
        {
            r = rstd.Reshape(bshape);
            xhat = x.Sub(mean.Reshape(bshape)).Mul(r);
        }
        Tensor? dx = !nx ? null : training ? InputGrad(g, w, xhat, r, axes) : g.Mul(w is null ? r : w.Mul(r));
        return (dx, nw ? g.Mul(xhat).Sum(axes) : null, nb ? g.Sum(axes) : null);
    }

    // x̂ = (x − mean)·rstd over the axes, differentiably; returns (x̂, rstd) with the axes kept as size 1.
    private static (Tensor Xhat, Tensor Rstd) Standardise(Tensor x, int[] axes, double eps)
    {
        var centered = x.Sub(x.Mean(axes, keepDim: true));
        var r = centered.Square().Mean(axes, keepDim: true).AddScalar(eps).Pow(-0.5);
        return (centered.Mul(r), r);
    }

    // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙w, means over the normalised axes.
    private static Tensor InputGrad(Tensor g, Tensor? w, Tensor xhat, Tensor rstd, int[] axes)
    {
        var gh = w is null ? g : g.Mul(w);
        return rstd.Mul(gh.Sub(gh.Mean(axes, keepDim: true)).Sub(xhat.Mul(gh.Mul(xhat).Mean(axes, keepDim: true))));
    }

    private static Tensor? Dense(Tensor? t) => t is null || t.IsContiguous ? t : t.Detach().Contiguous();

    private static Tensor[] Inputs(Tensor x, Tensor? weight, Tensor? bias)
    {
        var r = new List<Tensor>(3) { x };
        if (weight is not null) r.Add(weight);
        if (bias is not null) r.Add(bias);
        return r.ToArray();
    }

    private static Tensor?[] Pack(Tensor? dx, Tensor? weight, Tensor? dw, Tensor? bias, Tensor? db)
    {
        var r = new List<Tensor?>(3) { dx };
        if (weight is not null) r.Add(dw);
        if (bias is not null) r.Add(db);
        return r.ToArray();
    }

    private static Tensor[] Saved(Tensor x, Tensor? weight, Tensor mean, Tensor rstd) =>
        weight is null ? [x, mean, rstd] : [x, weight, mean, rstd];

    private static void CheckParam(string op, string name, Tensor? p, Tensor x, int[] normalizedShape)
    {
        if (p is null) return;
        if (!ShapeUtil.SameShape(p.Shape, normalizedShape))
            throw new ArgumentException($"{op}: {name} {p.ShapeString} does not match normalizedShape {ShapeUtil.Format(normalizedShape)} (input {x.ShapeString})");
        if (p.DType != x.DType)
            throw new ArgumentException($"{op}: {name} is {p.DType} {p.ShapeString} but input is {x.DType} {x.ShapeString}");
    }

    private static void CheckChannels(string op, string name, Tensor? t, Tensor x, int c, bool buffer)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Shape[0] != c)
            throw new ArgumentException($"{op}: {name} {t.ShapeString} does not match input {x.ShapeString} with {c} channels (expects ({c},))");
        if (buffer)
        {
            if (!t.DType.IsFloating())
                throw new ArgumentException($"{op}: {name} must be Float32 or Float64, got {t.DType} {t.ShapeString}");
            if (t.RequiresGrad)
                throw new ArgumentException($"{op}: {name} {t.ShapeString} is a running-statistics buffer and must not require grad");
        }
        else if (t.DType != x.DType)
            throw new ArgumentException($"{op}: {name} is {t.DType} {t.ShapeString} but input is {x.DType} {x.ShapeString}");
    }

    private static void CheckEps(string op, double eps)
    {
        if (!(eps >= 0) || double.IsInfinity(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be a finite non-negative number, got {eps}");
    }
}
