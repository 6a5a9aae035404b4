// Differentiable reductions over any axes: sum, mean, max/min, var/std, logsumexp, argmax/argmin, sum-to-shape.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Reductions. An empty axis list means all axes; <c>keepDim</c> keeps reduced axes as size 1.</summary>
public static class ReductionOps
{
    /// <summary>Sum over all elements (a scalar tensor).</summary>
    public static Tensor Sum(this Tensor x) => x.Sum([], false);

    /// <summary>Sum over the given axes.</summary>
    public static Tensor Sum(this Tensor x, int[] axes, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, x.Rank, "sum");
        var kept = ReduceKernel.Run(x, ax, ReduceKind.Sum, "sum");
        if (Autograd.ShouldRecord(x))
        {
            var inShape = x.ShapeArray;
            Autograd.Record(kept, "sum", [x], g => [g.Expand(inShape)]);
        }
        return keepDim ? kept : DropAxes(kept, ax);
    }

    /// <summary>Sum over one axis.</summary>
    public static Tensor Sum(this Tensor x, int axis, bool keepDim = false) => x.Sum([axis], keepDim);

    /// <summary>Mean over all elements.</summary>
    public static Tensor Mean(this Tensor x) => x.Mean([], false);

    /// <summary>Mean over the given axes.</summary>
    public static Tensor Mean(this Tensor x, int[] axes, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, x.Rank, "mean");
        int count = 1;
        foreach (int a in ax) count *= x.Shape[a];
        if (count == 0) throw new ArgumentException($"mean: reducing over zero elements of {x.ShapeString}");
        return x.Sum(ax, keepDim).MulScalar(1.0 / count);
    }

    /// <summary>Mean over one axis.</summary>
    public static Tensor Mean(this Tensor x, int axis, bool keepDim = false) => x.Mean([axis], keepDim);

    /// <summary>Maximum over the given axes (all when empty); ties share the gradient evenly.</summary>
    public static Tensor Max(this Tensor x, int[] axes, bool keepDim = false) => Extreme(x, axes, keepDim, ReduceKind.Max, "max");

    /// <summary>Maximum over all elements.</summary>
    public static Tensor Max(this Tensor x) => x.Max([], false);

    /// <summary>Maximum over one axis.</summary>
    public static Tensor Max(this Tensor x, int axis, bool keepDim = false) => x.Max([axis], keepDim);

    /// <summary>Minimum over the given axes (all when empty); ties share the gradient evenly.</summary>
    public static Tensor Min(this Tensor x, int[] axes, bool keepDim = false) => Extreme(x, axes, keepDim, ReduceKind.Min, "min");

    /// <summary>Minimum over all elements.</summary>
    public static Tensor Min(this Tensor x) => x.Min([], false);

    /// <summary>Minimum over one axis.</summary>
    public static Tensor Min(this Tensor x, int axis, bool keepDim = false) => x.Min([axis], keepDim);

    private static Tensor Extreme(Tensor x, int[] axes, bool keepDim, ReduceKind kind, string op)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, x.Rank, op);
        var kept = ReduceKernel.Run(x, ax, kind, op);
        if (Autograd.ShouldRecord(x))
        {
            Autograd.Record(kept, op, [x], g =>
            {
                var hit = x.Eq(kept);
                var share = hit.Div(hit.Sum(ax, keepDim: true));
                return [g.Mul(share)];
            }, x, kept);
        }
        return keepDim ? kept : DropAxes(kept, ax);
    }

    /// <summary>Variance over the given axes with Bessel's correction (PyTorch's default: correction = 1).</summary>
    public static Tensor Var(this Tensor x, int[] axes, bool keepDim = false, int correction = 1)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, x.Rank, "var");
        int count = 1;
        foreach (int a in ax) count *= x.Shape[a];
        if (count - correction <= 0)
            throw new ArgumentException($"var: {count} elements with correction {correction} leave no degrees of freedom ({x.ShapeString})");
        var centered = x.Sub(x.Mean(ax, keepDim: true));
        return centered.Square().Sum(ax, keepDim).MulScalar(1.0 / (count - correction));
    }

    /// <summary>Variance over one axis.</summary>
    public static Tensor Var(this Tensor x, int axis, bool keepDim = false, int correction = 1) => x.Var([axis], keepDim, correction);

    /// <summary>Standard deviation over the given axes.</summary>
    public static Tensor Std(this Tensor x, int[] axes, bool keepDim = false, int correction = 1) => x.Var(axes, keepDim, correction).Sqrt();

    /// <summary>log Σ exp(x) over the given axes, computed stably.</summary>
    public static Tensor LogSumExp(this Tensor x, int[] axes, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, x.Rank, "logsumexp");
        Tensor m;
        using (GradMode.NoGrad()) m = x.Detach().Max(ax, keepDim: true);
        var r = x.Sub(m).Exp().Sum(ax, keepDim: true).Log().Add(m);
        return keepDim ? r : DropAxes(r, ax);
    }

    /// <summary>Index of the maximum along <paramref name="axis"/> (first one at ties), as Int32.</summary>
    public static Tensor Argmax(this Tensor x, int axis, bool keepDim = false)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank, "argmax");
        var r = ReduceKernel.ArgExtreme(x, a, max: true, "argmax");
        return keepDim ? r : DropAxes(r, [a]);
    }

    /// <summary>Index of the minimum along <paramref name="axis"/> (first one at ties), as Int32.</summary>
    public static Tensor Argmin(this Tensor x, int axis, bool keepDim = false)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank, "argmin");
        var r = ReduceKernel.ArgExtreme(x, a, max: false, "argmin");
        return keepDim ? r : DropAxes(r, [a]);
    }

    /// <summary>Sums a broadcast result back to <paramref name="shape"/> (the backward of broadcasting).</summary>
    public static Tensor SumToShape(this Tensor g, int[] shape)
    {
        if (ShapeUtil.SameShape(g.Shape, shape)) return g;
        int lead = g.Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"SumToShape: {g.ShapeString} has fewer dimensions than {ShapeUtil.Format(shape)}");
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
        {
            if (i < lead) { axes.Add(i); continue; }
            int want = shape[i - lead];
            if (want == g.Shape[i]) continue;
            if (want != 1) throw new ArgumentException($"SumToShape: {g.ShapeString} does not broadcast from {ShapeUtil.Format(shape)}");
            axes.Add(i);
        }
        return g.Sum(axes.ToArray(), keepDim: true).Reshape(shape);
    }

    private static Tensor DropAxes(Tensor kept, int[] axes)
    {
        if (axes.Length == 0) return kept;
        var shape = new List<int>(kept.Rank);
        for (int i = 0; i < kept.Rank; i++) if (Array.IndexOf(axes, i) < 0) shape.Add(kept.Shape[i]);
        return kept.Reshape(shape.ToArray());
    }
}
