// Nuclear norm: known values and subgradients, identities on random matrices, finite-difference gradients, errors.
using Mtl.Kernels;
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class NuclearNormTests
{
    private static (double Norm, double[] Grad) NormAndGrad(Tensor w)
    {
        var leaf = w.Detach().Clone().RequireGrad();
        var n = leaf.NuclearNorm();
        n.Backward();
        return (n.Item(), leaf.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Known_matrices_give_their_singular_value_sums_and_U_Vt()
    {
        // diag(3, −4) padded to 2×3: σ = (3, 4); U·Vᵀ keeps the signs.
        var (n1, g1) = NormAndGrad(Tensor.From(new double[] { 3, 0, 0, 0, -4, 0 }, 2, 3));
        Assert.Equal(7, n1, 12);
        Close([1, 0, 0, 0, -1, 0], g1);
        // Orthogonal rows of length 5 each: σ = (5, 5), U·Vᵀ = W / 5.
        var (n2, g2) = NormAndGrad(Tensor.From(new double[] { 3, 0, 4, 0, 5, 0 }, 2, 3));
        Assert.Equal(10, n2, 12);
        Close([0.6, 0, 0.8, 0, 1, 0], g2);
        // Rank one: [[1,1,0],[1,1,0]] = 2·u·vᵀ with u = (1,1)/√2, v = (1,1,0)/√2; the zero direction is dropped.
        var (n3, g3) = NormAndGrad(Tensor.From(new double[] { 1, 1, 0, 1, 1, 0 }, 2, 3));
        Assert.Equal(2, n3, 12);
        Close([0.5, 0.5, 0, 0.5, 0.5, 0], g3, 1e-9);
        // [[1, 2], [3, 4]]: σ² are the roots of λ² − 30λ + 4, so Σσ = √(σ1² + σ2² + 2σ1σ2) = √(30 + 2·|det|) = √34.
        var (n4, _) = NormAndGrad(Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2));
        Assert.Equal(Math.Sqrt(34), n4, 12);
        // One row: the Euclidean norm, gradient the unit row.
        var (n5, g5) = NormAndGrad(Tensor.From(new double[] { 3, -4 }, 1, 2));
        Assert.Equal(5, n5, 12);
        Close([0.6, -0.8], g5);
    }

    [Fact]
    public void Random_matrices_satisfy_norm_identities_in_both_orientations()
    {
        foreach (var (k, p) in new[] { (3, 7), (4, 4), (6, 2), (2, 500) })
        {
            var w = RandD((ulong)(10 * k + p), k, p);
            var (norm, grad) = NormAndGrad(w);
            double fro = Math.Sqrt(w.ToDoubleArray().Sum(v => v * v));
            Assert.InRange(norm, fro - 1e-12, Math.Sqrt(Math.Min(k, p)) * fro + 1e-12);
            // ⟨U·Vᵀ, W⟩ = Σσ (the norm is 1-homogeneous), and ‖U·Vᵀ‖²_F = rank = min(K, P).
            Assert.Equal(norm, grad.Zip(w.ToDoubleArray(), (a, b) => a * b).Sum(), 10);
            Assert.Equal(Math.Min(k, p), grad.Sum(v => v * v), 10);
            Assert.Equal(norm, w.T().Contiguous().NuclearNorm().Item(), 10);
        }
    }

    [Fact]
    public void Float32_input_gives_a_float32_norm_close_to_the_double_one()
    {
        var w = RandD(3, 3, 40);
        var n32 = w.ToFloatArray();
        var r = Tensor.From(n32, 3, 40).NuclearNorm();
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal(w.NuclearNorm().Item(), r.Item(), 4);
    }

    [Fact]
    public void Zero_and_empty_matrices_have_norm_zero_and_zero_gradient()
    {
        var (n, g) = NormAndGrad(Tensor.Zeros([2, 3], DType.Float64));
        Assert.Equal(0, n);
        Assert.All(g, v => Assert.Equal(0, v));
        Assert.Equal(0, Tensor.Zeros([0, 4], DType.Float64).NuclearNorm().Item());
        Assert.Equal(0, Tensor.Zeros([3, 0], DType.Float64).NuclearNorm().Item());
    }

    [Fact]
    public void Gradient_matches_finite_differences_wide_tall_and_square()
    {
        GradOk(x => x[0].NuclearNorm(), RandD(1, 3, 5));
        GradOk(x => x[0].NuclearNorm(), RandD(2, 5, 3));
        GradOk(x => x[0].NuclearNorm(), RandD(3, 4, 4));
        GradOk(x => x[0].NuclearNorm(), RandD(4, 1, 6));
        GradOk(x => x[0].NuclearNorm().MulScalar(-2.5), RandD(5, 2, 9));
    }

    [Fact]
    public void Gradient_matches_finite_differences_on_non_contiguous_inputs()
    {
        GradOk(x => x[0].T().NuclearNorm(), RandD(6, 7, 3));                   // transposed view (3, 7)
        GradOk(x => x[0].Slice(1, 0, 8, 2).NuclearNorm(), RandD(7, 3, 8));     // every second column (3, 4)
        var strided = StridedD(8, 3, 5);
        Assert.Equal(strided.Contiguous().NuclearNorm().Item(), strided.NuclearNorm().Item(), 12);
    }

    [Fact]
    public void Bad_inputs_name_the_op_and_shape()
    {
        var vec = Assert.Throws<ArgumentException>(() => Tensor.Zeros([6], DType.Float64).NuclearNorm());
        Assert.Contains("nuclear_norm", vec.Message);
        Assert.Contains("(6,)", vec.Message);
        var cube = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3, 4]).NuclearNorm());
        Assert.Contains("nuclear_norm", cube.Message);
        Assert.Contains("(2, 3, 4)", cube.Message);
        var ints = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3], DType.Int32).NuclearNorm());
        Assert.Contains("nuclear_norm", ints.Message);
        var eps = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).NuclearNorm(eps: 1));
        Assert.Contains("nuclear_norm", eps.Message);
    }

    [Fact]
    public void Jacobi_solver_reconstructs_symmetric_matrices()
    {
        var b = RandD(9, 6, 6).ToDoubleArray();
        var a = new double[36];
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) a[i * 6 + j] = b[i * 6 + j] + b[j * 6 + i];
        var (values, q) = SymmetricEigen.Decompose(a, 6);
        var back = new double[36];
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                for (int k = 0; k < 6; k++) back[i * 6 + j] += q[i * 6 + k] * values[k] * q[j * 6 + k];
        Close(a, back, 1e-12);
        Assert.Equal(a.Where((_, i) => i % 7 == 0).Sum(), values.Sum(), 12);   // trace
    }
}
