// The fused cross-entropy op on (M, C) logits: kernel forward and backward, a composed backward for double backward.
namespace Mtl.NN;

/// <summary>
/// Cross-entropy with class-index targets, label smoothing and class weights as one autograd node over (M, C) logits.
/// The loss is L = Σ_i a·nll_i + b·smooth_i (see <see cref="CrossEntropyKernel"/>) with
/// a = 1 − ε and b = ε/C, both divided by Σ_i w[t_i] for <see cref="Reduction.Mean"/>; for
/// <see cref="Reduction.None"/> the i-th term is the i-th output.
/// </summary>
internal static class CrossEntropyFused
{
    private const string Op = "cross_entropy";

    /// <summary>The loss of logits <paramref name="x"/> (M, C) against validated targets (M entries).</summary>
    public static Tensor Run(Tensor x, ClassTargets targets, Tensor? weight, double labelSmoothing, Reduction reduction)
    {
        int m = x.Shape[0], c = x.Shape[1];
        var xs = x.IsContiguous ? x : x.Detach().Contiguous(); // (M, C) dense
        var w = weight?.Detach().Contiguous();                 // (C) dense, a constant
        var lse = Tensor.Empty([m], x.DType);                  // (M) log Σ exp of each row
        var nll = new double[m];
        var smooth = new double[m];
        bool smoothing = labelSmoothing > 0;
        if (m > 0 && c > 0)
        {
            if (x.DType == DType.Float32)
                CrossEntropyKernel.Forward<float>(Mem<float>(xs), m, c, targets.Values, Mem<float>(w), targets.IgnoreIndex, smoothing, Mem<float>(lse), nll, smooth);
            else
                CrossEntropyKernel.Forward<double>(Mem<double>(xs), m, c, targets.Values, Mem<double>(w), targets.IgnoreIndex, smoothing, Mem<double>(lse), nll, smooth);
        }

        var (perTarget, total) = targets.TargetWeights(w);
        double weightSum = w is null ? c : w.ToDoubleArray().Sum();
        double a = 1 - labelSmoothing, b = smoothing ? labelSmoothing / c : 0;
        Tensor r;
        if (reduction == Reduction.None)
        {
            var v = new double[m];
            for (int i = 0; i < m; i++) v[i] = a * nll[i] + b * smooth[i];
            r = ClassTargets.Constant(v, [m], x.DType); // (M)
        }
        else
        {
            double sn = 0, ss = 0;
            for (int i = 0; i < m; i++) { sn += nll[i]; ss += smooth[i]; } // row order: independent of threads
            if (reduction == Reduction.Mean) { a /= total; b /= total; }
            r = Tensor.Scalar(a * sn + (b == 0 ? 0 : b * ss), x.DType);
        }
        if (!Autograd.ShouldRecord(x)) return r;
        return Autograd.Record(r, Op, [x], g =>
            [GradMode.IsEnabled ? Composed(x, g, targets, w, perTarget, a, b, weightSum) : Fused(xs, lse, g, targets, w, a, b, weightSum)],
            x, xs, lse);
    }

    private static Tensor Fused(Tensor xs, Tensor lse, Tensor g, ClassTargets targets, Tensor? w, double a, double b, double weightSum)
    {
        int m = xs.Shape[0], c = xs.Shape[1];
        var dx = Tensor.Empty(xs.ShapeArray, xs.DType); // (M, C)
        if (dx.Numel == 0) return dx;
        var gc = g.IsContiguous ? g : g.Detach().Contiguous(); // (M) or ()
        if (xs.DType == DType.Float32)
            CrossEntropyKernel.Backward<float>(Mem<float>(xs), Mem<float>(lse), m, c, targets.Values, Mem<float>(w), targets.IgnoreIndex, a, b, weightSum, Mem<float>(gc), Mem<float>(dx));
        else
            CrossEntropyKernel.Backward<double>(Mem<double>(xs), Mem<double>(lse), m, c, targets.Values, Mem<double>(w), targets.IgnoreIndex, a, b, weightSum, Mem<double>(gc), Mem<double>(dx));
        return dx;
    }

    /// <summary>
    /// The same gradient from differentiable ops (for createGraph): dx = G ⊙ (P ⊙ K1 − K2) with P = softmax(x),
    /// K1 = a·w[t] + b·Σw per row and K2 = b·w[c] + a·w[t]·onehot(t), both zero on ignored rows.
    /// </summary>
    private static Tensor Composed(Tensor x, Tensor g, ClassTargets targets, Tensor? w, double[] perTarget, double a, double b, double weightSum)
    {
        int m = x.Shape[0], c = x.Shape[1];
        var k1 = new double[m];
        var k2 = new double[m * c];
        double[] wv = w?.ToDoubleArray() ?? Enumerable.Repeat(1.0, c).ToArray();
        for (int i = 0; i < m; i++)
        {
            int t = targets.Values[i];
            if (t == targets.IgnoreIndex) continue;
            k1[i] = a * perTarget[i] + b * weightSum;
            for (int j = 0; j < c; j++) k2[i * c + j] = b * wv[j];
            k2[i * c + t] += a * perTarget[i];
        }
        var gRow = g.Reshape(g.Numel == m && g.Rank == 1 ? m : 1, 1); // (M, 1) or (1, 1)
        var p = x.Softmax(1);                                           // (M, C)
        return gRow.Mul(p.Mul(ClassTargets.Constant(k1, [m, 1], x.DType)).Sub(ClassTargets.Constant(k2, [m, c], x.DType)));
    }

    private static Memory<T> Mem<T>(Tensor? t) where T : unmanaged => Mtl.Kernels.KernelBuffers.Mem<T>(t);
}
