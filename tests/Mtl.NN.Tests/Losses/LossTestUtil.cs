// Helpers for the loss tests: seeded float64 tensors, random class targets, a gradient-check assertion, closeness checks.
namespace Mtl.NN.Tests.LossTests;

internal static class LossTestUtil
{
    /// <summary>A float64 tensor of normal samples.</summary>
    public static Tensor RandD(ulong seed, params int[] shape) => Tensor.RandN(shape, new Generator(seed), dtype: DType.Float64);

    /// <summary>A float64 tensor of uniform samples in [lo, hi).</summary>
    public static Tensor UniformD(ulong seed, double lo, double hi, params int[] shape) => Tensor.Rand(shape, new Generator(seed), lo, hi, DType.Float64);

    /// <summary>A non-contiguous float64 view of the given shape (a transposed larger tensor, sliced).</summary>
    public static Tensor StridedD(ulong seed, params int[] shape)
    {
        var rev = shape.Reverse().ToArray();
        rev[^1] *= 2;
        var big = RandD(seed, rev);
        var v = big.Permute(Enumerable.Range(0, shape.Length).Reverse().ToArray()).Slice(0, 0, shape[0] * 2, 2);
        Assert.False(v.IsContiguous && v.Numel > 1);
        return v;
    }

    /// <summary>A copy of a float tensor in another float dtype.</summary>
    public static Tensor AsType(Tensor t, DType dtype) => dtype == DType.Float64
        ? Tensor.From<double>(t.ToDoubleArray(), t.ShapeArray)
        : Tensor.From<float>(t.ToFloatArray(), t.ShapeArray);

    /// <summary>Rows of probabilities (softmax along axis 1 of random values).</summary>
    public static Tensor ProbsD(ulong seed, params int[] shape) => RandD(seed, shape).Softmax(shape.Length == 1 ? 0 : 1);

    /// <summary>Int32 class indices in [0, classes), with every <paramref name="ignoreEvery"/>-th set to ignoreIndex.</summary>
    public static Tensor Labels(ulong seed, int classes, int[] shape, int ignoreEvery = 0, int ignoreIndex = -100)
    {
        var g = new Generator(seed);
        var u = Tensor.Rand(shape, g, 0, classes, DType.Float64).ToArray<double>();
        var v = new int[u.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = ignoreEvery > 0 && i % ignoreEvery == 1 ? ignoreIndex : Math.Min(classes - 1, (int)u[i]);
        return Tensor.From<int>(v, shape);
    }

    /// <summary>Asserts that autograd matches central differences for f at the given float64 inputs.</summary>
    public static void GradOk(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.Passed, $"gradient check failed: {r.Detail} (max abs {r.MaxAbsError:G3}, max rel {r.MaxRelError:G3})");
    }

    /// <summary>|expected − actual| ≤ rtol·|expected| + atol for every element.</summary>
    public static void Close(double[] expected, double[] actual, double rtol, double atol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (!(Math.Abs(e - a) <= rtol * Math.Abs(e) + atol))
                Assert.Fail($"{what} element {i}: expected {e:G10}, got {a:G10}");
        }
    }
}
