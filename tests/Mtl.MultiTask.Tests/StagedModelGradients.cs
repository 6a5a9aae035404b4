// Test helpers for architectures built from trunk stages: whole-model gradient checks and a one-line metrics report.
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

/// <summary>
/// Gradient checks over a model's own (float32) parameters. Layers cannot be built in float64, so instead of
/// element-wise differences the check compares, for each parameter tensor p and a random unit direction d, autograd's
/// ⟨∂L/∂p, d⟩ with the central difference (L(p + εd) − L(p − εd)) / 2ε — a directional derivative per tensor, which
/// float32 resolves well for a smooth loss.
/// </summary>
internal static class StagedModelGradients
{
    /// <summary>A smooth scalar loss of a model's outputs: Σ_t Σ y_t · r_t with fixed random r_t per task.</summary>
    public static Func<IReadOnlyDictionary<string, Tensor>, Tensor> Projection(ulong seed = 5)
    {
        var cache = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        return outputs =>
        {
            Tensor? total = null;
            foreach (var (name, y) in outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!cache.TryGetValue(name, out var r))
                    cache[name] = r = Tensor.RandN(y.Shape, new Generator(seed + (ulong)cache.Count)).Keep();
                var term = y.Mul(r).Sum();
                total = total is null ? term : total.Add(term);
            }
            return total!;
        };
    }

    /// <summary>Every parameter not <paramref name="exempt"/> receives a finite gradient with a non-zero element.</summary>
    public static void AssertEveryParameterGetsGradient(Module model, Func<Tensor> loss, Func<string, bool>? exempt = null)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        loss().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            if (exempt?.Invoke(name) == true) continue;
            Assert.True(p.Grad is not null, $"parameter '{name}' received no gradient");
            var g = p.Grad!.ToDoubleArray();
            Assert.True(g.All(double.IsFinite), $"parameter '{name}' has a non-finite gradient");
            Assert.True(g.Any(v => v != 0), $"parameter '{name}' has an all-zero gradient");
        }
    }

    /// <summary>
    /// For each parameter tensor, autograd's directional derivative along a random unit direction matches the
    /// central difference within <paramref name="relTol"/> (relative) + <paramref name="absTol"/>.
    /// </summary>
    public static void AssertMatchesFiniteDifferences(Module model, Func<Tensor> loss, double eps = 3e-3, double relTol = 0.02, double absTol = 2e-4)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        loss().Backward();
        var g = new Generator(17);
        foreach (var (name, p) in model.NamedParameters())
        {
            var original = p.ToArray<float>();
            var d = Tensor.RandN([original.Length], g).ToArray<float>();
            double norm = Math.Sqrt(d.Sum(v => (double)v * v));
            var grad = p.Grad?.ToArray<float>() ?? new float[original.Length];
            double analytic = 0;
            for (int i = 0; i < d.Length; i++) analytic += grad[i] * (d[i] / norm);
            double plus = LossAt(model, p, original, d, eps / norm, loss), minus = LossAt(model, p, original, d, -eps / norm, loss);
            using (GradMode.NoGrad()) p.CopyFrom<float>(original);
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(analytic - numeric) <= absTol + relTol * Math.Max(Math.Abs(analytic), Math.Abs(numeric)),
                $"parameter '{name}' {p.ShapeString}: autograd directional derivative {analytic:G6}, central difference {numeric:G6}");
        }
    }

    private static double LossAt(Module model, Tensor p, float[] original, float[] d, double step, Func<Tensor> loss)
    {
        var moved = new float[original.Length];
        for (int i = 0; i < moved.Length; i++) moved[i] = (float)(original[i] + step * d[i]);
        using (GradMode.NoGrad())
        {
            p.CopyFrom<float>(moved);
            return loss().Item();
        }
    }
}

/// <summary>One line of test metrics for the test log, e.g. "top_left: accuracy=0.612 macro_f1=0.598; …".</summary>
internal static class LearningReport
{
    public static string Format(Mtl.MultiTask.Training.EvaluationResult result) => string.Join("; ", result.Metrics.Select(t =>
        $"{t.Key}: " + string.Join(" ", t.Value.Select(m => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.Key}={m.Value:F3}")))));
}
