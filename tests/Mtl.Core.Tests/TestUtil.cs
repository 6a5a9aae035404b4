// Shared test helpers: seeded random tensors (contiguous or strided views) and a gradient-check assertion.
namespace Mtl.Tests;

internal static class TestUtil
{
    /// <summary>A float64 tensor of normal samples.</summary>
    public static Tensor RandD(ulong seed, params int[] shape) => Tensor.RandN(shape, new Generator(seed), dtype: DType.Float64);

    /// <summary>A float64 tensor of uniform samples in [lo, hi).</summary>
    public static Tensor UniformD(ulong seed, double lo, double hi, params int[] shape) =>
        Tensor.Rand(shape, new Generator(seed), lo, hi, DType.Float64);

    /// <summary>A non-contiguous float64 view of the given shape (a transposed larger tensor, sliced).</summary>
    public static Tensor StridedD(ulong seed, params int[] shape)
    {
        // Build (last, ..., first) doubled on the first axis, permute back and take every second element on that axis.
        var rev = shape.Reverse().ToArray();
        rev[^1] *= 2;
        var big = RandD(seed, rev);
        var perm = Enumerable.Range(0, shape.Length).Reverse().ToArray();
        var v = big.Permute(perm).Slice(0, 0, shape[0] * 2, 2);
        Assert.False(v.IsContiguous && v.Numel > 1);
        return v;
    }

    /// <summary>Asserts that autograd matches central differences for f at the given inputs.</summary>
    public static void GradOk(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.Passed, $"gradient check failed: {r.Detail} (max abs {r.MaxAbsError:G3}, max rel {r.MaxRelError:G3})");
    }

    public static void Close(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i]))))
                Assert.Fail($"element {i}: expected {expected[i]:G10}, got {actual[i]:G10}");
    }
}

/// <summary>Tests that change process-wide settings (thread count, forced GEMM kernels) run alone, never beside others.</summary>
[CollectionDefinition(GlobalSettingsCollection.Name, DisableParallelization = true)]
public sealed class GlobalSettingsCollection
{
    public const string Name = "global settings";
}
