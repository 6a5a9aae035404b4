// Helpers for strategy tests: random gradient matrices, one-call combination by registry name, vector checks.
using Mtl.MultiTask.Balancing;

namespace Mtl.MultiTask.Tests.Balancing;

internal static class StrategyTestUtil
{
    /// <summary>K random gradients of length P (normal entries) from a fixed seed.</summary>
    public static GradientMatrix RandomMatrix(int tasks, int size, ulong seed)
    {
        var g = new Generator(seed);
        var m = new GradientMatrix(tasks, size);
        for (int k = 0; k < tasks; k++) g.FillNormal(m.Row(k), 0, 1 + k);
        return m;
    }

    /// <summary>K positive loss values from a fixed seed.</summary>
    public static double[] RandomLosses(int tasks, ulong seed)
    {
        var g = new Generator(seed ^ 0x5bd1e995);
        return Enumerable.Range(0, tasks).Select(_ => 0.2 + 2 * g.NextDouble()).ToArray();
    }

    /// <summary>A fresh registry strategy applied once (losses default to 1).</summary>
    public static StrategyResult Combine(string name, double[][] rows, double[]? losses = null, object? options = null) =>
        StrategyRegistry.Create(name, options).Combine(GradientMatrix.FromRows(rows), new StrategyStep(losses ?? rows.Select(_ => 1.0).ToArray()));

    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    public static double Norm(ReadOnlySpan<double> a)
    {
        double s = 0;
        foreach (var x in a) s += x * x;
        return Math.Sqrt(s);
    }

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tol = 1e-9, string what = "")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}])");
    }
}
