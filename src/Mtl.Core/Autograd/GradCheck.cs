// Finite-difference gradient checking in float64: compares autograd's gradients with central differences.
namespace Mtl;

/// <summary>Result of comparing analytic and numeric gradients.</summary>
public sealed record GradCheckResult(bool Passed, double MaxAbsError, double MaxRelError, string Detail);

/// <summary>
/// Checks an op's backward against central differences. The function is reduced to a scalar through a fixed random
/// projection Σ f(x)·r, so every output element's gradient is exercised. Inputs must be float64 leaves.
/// </summary>
public static class GradCheck
{
    /// <summary>Compares d(Σ f·r)/dx from autograd with (f(x+ε) − f(x−ε))/2ε for every element of every input.</summary>
    public static GradCheckResult Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double rtol = 1e-6, double atol = 1e-8, ulong seed = 7)
    {
        foreach (var x in inputs)
            if (x.DType != DType.Float64) throw new ArgumentException($"GradCheck: inputs must be Float64, got {x.DType} {x.ShapeString}");
        var leaves = inputs.Select(x => x.Detach().Clone().RequireGrad()).ToArray();
        var output = f(leaves);
        if (output.DType != DType.Float64) throw new ArgumentException($"GradCheck: output must be Float64, got {output.DType}");
        var projection = Tensor.RandN(output.Shape, new Generator(seed), dtype: DType.Float64);
        var loss = output.Mul(projection).Sum();
        var analytic = Autograd.Grad([loss], leaves, allowUnused: true);

        double maxAbs = 0, maxRel = 0;
        string detail = "ok";
        bool passed = true;
        for (int i = 0; i < leaves.Length; i++)
        {
            var data = leaves[i].ToArray<double>();
            var grad = analytic[i]?.Contiguous().ToArray<double>() ?? new double[data.Length];
            for (int j = 0; j < data.Length; j++)
            {
                double orig = data[j];
                double plus = Eval(f, leaves, i, data, j, orig + eps, projection);
                double minus = Eval(f, leaves, i, data, j, orig - eps, projection);
                data[j] = orig;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.Abs(numeric - grad[j]);
                double rel = err / Math.Max(Math.Abs(numeric), Math.Abs(grad[j]) + 1e-300);
                maxAbs = Math.Max(maxAbs, err);
                if (err > atol) maxRel = Math.Max(maxRel, rel);
                if (err > atol + rtol * Math.Max(Math.Abs(numeric), Math.Abs(grad[j])) && passed)
                {
                    passed = false;
                    detail = $"input {i} {leaves[i].ShapeString} element {j}: analytic {grad[j]:G10}, numeric {numeric:G10}";
                }
            }
            using (GradMode.NoGrad()) leaves[i].CopyFrom<double>(data);
        }
        return new GradCheckResult(passed, maxAbs, maxRel, detail);
    }

    private static double Eval(Func<Tensor[], Tensor> f, Tensor[] leaves, int i, double[] data, int j, double value, Tensor projection)
    {
        data[j] = value;
        using (GradMode.NoGrad())
        {
            leaves[i].CopyFrom<double>(data);
            return f(leaves).Mul(projection).Sum().Item();
        }
    }
}
