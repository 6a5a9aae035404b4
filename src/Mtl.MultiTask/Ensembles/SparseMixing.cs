// Fits one task's non-negative, L1-penalised mixing weights by proximal gradient, so useless members get exactly 0.
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Ensembles;

/// <summary>
/// Sparse mixing weights w ≥ 0 of one task minimising f(w) + λ·Σ_m w_m on validation outputs, where f is the loss of the
/// mixed output: classification cross-entropy of the logits z = Σ_m w_m·log p_m; multi-label binary cross-entropy of
/// z = Σ_m w_m·z_m; regression the mean squared error of Σ_m w_m·y_m. Proximal gradient: w ← max(0, w − η·∇f(w) − η·λ)
/// (the soft-threshold of the L1 term and the clamp at 0 in one step, so weights become exactly 0), the step η found by
/// backtracking until f(w⁺) ≤ f(w) + ∇f·(w⁺ − w) + ‖w⁺ − w‖²/(2η). Starts from w = 1/M; ∇f by the engine's autograd in
/// float64; deterministic.
/// </summary>
internal static class SparseMixing
{
    public static double[] Fit(TaskSamples samples, EnsembleFitOptions options)
    {
        int members = samples.Values.Length, n = samples.Count;
        var w = Enumerable.Repeat(1.0 / members, members).ToArray();
        if (n == 0) return w;
        var loss = Loss(samples);
        double lambda = options.SparseLambda, eta = 1;
        for (int step = 0; step < options.SparseSteps; step++)
        {
            var (f, g) = ValueAndGradient(loss, w);
            double[] next;
            double moved;
            while (true)
            {
                next = new double[members];
                for (int m = 0; m < members; m++) next[m] = Math.Max(0, w[m] - eta * g[m] - eta * lambda);
                double linear = 0, square = 0;
                moved = 0;
                for (int m = 0; m < members; m++)
                {
                    double d = next[m] - w[m];
                    linear += g[m] * d;
                    square += d * d;
                    moved = Math.Max(moved, Math.Abs(d));
                }
                if (moved == 0 || Value(loss, next) <= f + linear + square / (2 * eta) + 1e-12 * Math.Abs(f) || eta < 1e-12) break;
                eta *= 0.5;
            }
            w = next;
            if (moved <= options.SparseTolerance) break;
            eta = Math.Min(eta * 2, 1e6);
        }
        return w;
    }

    // f(w) as a graph of engine ops over the (rows, M) matrix of member outputs.
    private static Func<Tensor, Tensor> Loss(TaskSamples s)
    {
        int members = s.Values.Length, n = s.Count, c = s.Width;
        var x = new double[n * c * members];                        // (N·C, M)
        for (int r = 0; r < n * c; r++)
            for (int m = 0; m < members; m++) x[r * members + m] = s.Values[m][r];
        var matrix = Tensor.From(x, n * c, members);
        var targets = Tensor.From(s.Targets, n);                    // (N)
        switch (s.Task.Kind)
        {
            case TaskKind.Regression:
                return w => matrix.MatMul(w.Reshape(members, 1)).Reshape(n).Sub(targets).Square().Mean();
            case TaskKind.MultiLabel:
                return w =>
                {
                    var z = matrix.MatMul(w.Reshape(members, 1)).Reshape(n);            // (N) logits
                    return z.Softplus().Sub(targets.Mul(z)).Mean();                     // BCE with logits
                };
            default:
                var oneHot = new double[n * c];
                for (int i = 0; i < n; i++) oneHot[i * c + (int)s.Targets[i]] = 1;
                var picks = Tensor.From(oneHot, n, c);                                  // (N, C)
                return w => matrix.MatMul(w.Reshape(members, 1)).Reshape(n, c).LogSoftmax(1).Mul(picks).Sum().DivScalar(-n);
        }
    }

    private static (double Value, double[] Gradient) ValueAndGradient(Func<Tensor, Tensor> loss, double[] w)
    {
        using var grad = GradMode.EnableGrad();
        var t = Tensor.From(w, w.Length);
        t.RequiresGrad = true;
        var f = loss(t);
        f.Backward();
        return (f.Item(), t.Grad!.ToDoubleArray());
    }

    private static double Value(Func<Tensor, Tensor> loss, double[] w)
    {
        using var none = GradMode.NoGrad();
        return loss(Tensor.From(w, w.Length)).Item();
    }
}
