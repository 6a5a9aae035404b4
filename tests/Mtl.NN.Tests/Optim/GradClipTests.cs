// Gradient clipping against PyTorch's clip_grad_norm_/clip_grad_value_ and hand-computed cases.
using System.Text.Json;
using Mtl.NN.Optim;

namespace Mtl.NN.Tests.Optim;

public class GradClipTests
{
    private static Tensor[] WithFirstGrads(DType dtype)
    {
        var ps = OptimFixture.InitialParams(dtype);
        var grads = OptimFixture.Json.GetProperty("grads")[0].EnumerateArray().Select(OptimFixture.Doubles).ToArray();
        for (int i = 0; i < ps.Length; i++) ps[i].Grad = OptimFixture.Make(grads[i], ps[i].ShapeArray, dtype);
        return ps;
    }

    public static TheoryData<int, DType> NormCases()
    {
        var d = new TheoryData<int, DType>();
        int n = OptimFixture.Json.GetProperty("clip_grad_norm").GetArrayLength();
        for (int i = 0; i < n; i++) { d.Add(i, DType.Float32); d.Add(i, DType.Float64); }
        return d;
    }

    [Theory]
    [MemberData(nameof(NormCases))]
    public void ClipGradNorm_matches_pytorch(int index, DType dtype)
    {
        var c = OptimFixture.Json.GetProperty("clip_grad_norm")[index];
        var nt = c.GetProperty("norm_type");
        double normType = nt.ValueKind == JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble();
        var ps = WithFirstGrads(dtype);
        var grads = ps.Select(p => p.Grad).ToArray();
        double total = GradClip.ClipGradNorm(ps, c.GetProperty("max_norm").GetDouble(), normType);
        double rtol = dtype == DType.Float32 ? 2e-6 : 1e-13;
        OptimFixture.Close([c.GetProperty("total_norm").GetDouble()], [total], rtol, 1, $"total norm {normType}");
        var expected = c.GetProperty("grads").EnumerateArray().Select(OptimFixture.Doubles).ToArray();
        for (int i = 0; i < ps.Length; i++)
        {
            Assert.Same(grads[i], ps[i].Grad); // in place
            OptimFixture.Close(expected[i], ps[i].Grad!.ToDoubleArray(), rtol, 0.1, $"grad {i} norm {normType}");
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ClipGradValue_matches_pytorch(DType dtype)
    {
        var c = OptimFixture.Json.GetProperty("clip_grad_value");
        var ps = WithFirstGrads(dtype);
        GradClip.ClipGradValue(ps, c.GetProperty("clip_value").GetDouble());
        var expected = c.GetProperty("grads").EnumerateArray().Select(OptimFixture.Doubles).ToArray();
        for (int i = 0; i < ps.Length; i++) OptimFixture.Close(expected[i], ps[i].Grad!.ToDoubleArray(), 1e-7, 1, $"grad {i}");
        Assert.Contains(0.5, ps[0].Grad!.ToDoubleArray());
    }

    [Fact]
    public void Hand_computed_norms_and_scaling()
    {
        // grads (3, 4) and (0,) on a parameter without grad: L2 = 5, L1 = 7, L∞ = 4.
        Tensor a = Tensor.Zeros([2]).RequireGrad(), b = Tensor.Zeros([1]).RequireGrad(), none = Tensor.Zeros([3]).RequireGrad();
        a.Grad = Tensor.From(new float[] { 3, 0 });
        b.Grad = Tensor.From(new float[] { -4 });
        Assert.Equal(5, GradClip.ClipGradNorm([a, none, b], 100), 5);
        Assert.Equal(new float[] { 3, 0 }, a.Grad.ToFloatArray()); // under the limit: untouched
        double total = GradClip.ClipGradNorm([a, b], 1);
        Assert.Equal(5, total, 5);
        float coef = (float)(1 / (5 + 1e-6));
        Assert.Equal(new[] { 3 * coef, 0 }, a.Grad.ToFloatArray());
        Assert.Equal(new[] { -4 * coef }, b.Grad!.ToFloatArray());

        a.Grad = Tensor.From(new float[] { 3, 0 });
        b.Grad = Tensor.From(new float[] { -4 });
        Assert.Equal(7, GradClip.ClipGradNorm([a, b], 100, normType: 1), 5);
        Assert.Equal(4, GradClip.ClipGradNorm([a, b], 100, normType: double.PositiveInfinity), 5);
        Assert.Equal(0, GradClip.ClipGradNorm([none], 1));
    }

    [Fact]
    public void Nonfinite_norms_poison_or_throw()
    {
        var a = Tensor.Zeros([2]).RequireGrad();
        a.Grad = Tensor.From(new float[] { float.NaN, 1 });
        var ex = Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([a], 1, errorIfNonfinite: true));
        Assert.Contains("NaN", ex.Message);
        Assert.Equal(1f, a.Grad.ToFloatArray()[1]); // nothing was scaled
        Assert.True(double.IsNaN(GradClip.ClipGradNorm([a], 1)));
        Assert.True(float.IsNaN(a.Grad.ToFloatArray()[1])); // as PyTorch: a NaN coefficient reaches every gradient
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var a = Tensor.Zeros([2]).RequireGrad();
        a.Grad = Tensor.Ones([2]);
        Assert.Contains("maxNorm", Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a], -1)).Message);
        Assert.Contains("normType", Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a], 1, 0)).Message);
        Assert.Contains("clipValue", Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([a], -0.5)).Message);
        var w = Tensor.Zeros([2, 3]).RequireGrad();
        w.Grad = Tensor.Ones([3, 2]).Transpose(0, 1);
        Assert.False(w.Grad.IsContiguous);
        var ex = Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([w], 0.5));
        Assert.Contains("non-contiguous", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
    }
}
