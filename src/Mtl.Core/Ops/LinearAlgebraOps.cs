// Differentiable matrix products: matmul with batch broadcasting (transposed views need no copy), and linear.
using Mtl.Kernels;

namespace Mtl;

/// <summary>Matrix products.</summary>
public static class LinearAlgebraOps
{
    /// <summary>
    /// Matrix product of (..., M, K) and (..., K, N) with broadcast batch dims; 1-D operands are treated as a row
    /// (left) or column (right) vector and that dimension is dropped from the result. Transposed views are not copied.
    /// </summary>
    public static Tensor MatMul(this Tensor a, Tensor b)
    {
        if (a.Rank == 1 && b.Rank == 1) return a.Reshape(1, -1).MatMul(b.Reshape(-1, 1)).Reshape();
        if (a.Rank == 1) return a.Unsqueeze(0).MatMul(b).Squeeze(-2);
        if (b.Rank == 1) return a.MatMul(b.Unsqueeze(1)).Squeeze(-1);
        var r = MatMulKernel.Run(a, b, "matmul");
        if (!Autograd.ShouldRecord(a, b)) return r;
        return Autograd.Record(r, "matmul", [a, b], g =>
        [
            a.RequiresGrad ? g.MatMul(b.Transpose(-1, -2)).SumToShape(a.ShapeArray) : null,
            b.RequiresGrad ? WeightGrad(a, b, g) : null,
        ], a, b);
    }

    // dB = Aᵀ·g; when B is 2-D and A batched, fold the batch into one (rows × K)ᵀ · (rows × N) product.
    private static Tensor WeightGrad(Tensor a, Tensor b, Tensor g)
    {
        if (b.Rank == 2 && a.Rank > 2)
        {
            int k = a.Shape[^1], n = g.Shape[^1];
            return a.Reshape(-1, k).Transpose(0, 1).MatMul(g.Reshape(-1, n));
        }
        return a.Transpose(-1, -2).MatMul(g).SumToShape(b.ShapeArray);
    }

    /// <summary>x·Wᵀ + b for x (..., in), weight (out, in), bias (out) — PyTorch's layout.</summary>
    public static Tensor Linear(this Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || x.Rank < 1 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"linear: input {x.ShapeString} does not fit weight {weight.ShapeString} (expects last dim {(weight.Rank == 2 ? weight.Shape[1] : -1)})");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"linear: bias {bias.ShapeString} does not fit weight {weight.ShapeString}");
        var y = x.MatMul(weight.T());
        return bias is null ? y : y.Add(bias);
    }
}
