// Nuclear norm of a short, wide matrix through its small Gramian, and the gradient U·Vᵀ, in double precision.
using System.Numerics.Tensors;

namespace Mtl.Kernels;

/// <summary>
/// ‖W‖_* for W (rows × cols) from the eigenvalues of the n×n Gramian G = A·Aᵀ, where A is W or Wᵀ, whichever has
/// fewer rows (n = min(rows, cols)): σ_i = √λ_i. The gradient U·Vᵀ equals G^(−1/2)·A, with G^(−1/2) = Q·diag(1/σ)·Qᵀ
/// over the singular values above <c>eps·σ_max</c> only (a subgradient where W is rank-deficient).
/// </summary>
internal static class NuclearNormKernel
{
    /// <summary>What the backward needs: A (n × m, row-major), G^(−1/2) (n × n) and whether A is Wᵀ.</summary>
    public sealed record Saved(double[] A, int N, int M, double[] InvRoot, bool Transposed);

    /// <summary>The nuclear norm of dense row-major <paramref name="w"/> (rows × cols) and what its gradient needs.</summary>
    public static (double Norm, Saved Saved) Forward(double[] w, int rows, int cols, double eps)
    {
        bool transposed = rows > cols;
        int n = Math.Min(rows, cols), m = Math.Max(rows, cols);
        var a = transposed ? Transpose(w, rows, cols) : w;                  // (n, m)
        var gram = new double[n * n];                                        // (n, n) = A·Aᵀ
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                gram[i * n + j] = gram[j * n + i] = TensorPrimitives.Dot<double>(a.AsSpan(i * m, m), a.AsSpan(j * m, m));
        var (lambda, q) = SymmetricEigen.Decompose(gram, n);

        var sigma = lambda.Select(l => Math.Sqrt(Math.Max(l, 0))).ToArray();
        double max = sigma.Length == 0 ? 0 : sigma.Max(), norm = sigma.Sum();
        var invRoot = new double[n * n];                                     // (n, n) = Q·diag(1/σ)·Qᵀ over kept σ
        for (int k = 0; k < n; k++)
        {
            if (!(sigma[k] > eps * max) || sigma[k] == 0) continue;
            double inv = 1 / sigma[k];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) invRoot[i * n + j] += q[i * n + k] * inv * q[j * n + k];
        }
        return (norm, new Saved(a, n, m, invRoot, transposed));
    }

    /// <summary>scale·U·Vᵀ as a dense row-major (rows × cols) array.</summary>
    public static double[] Backward(Saved s, double scale)
    {
        var g = new double[s.N * s.M];                                       // (n, m) = G^(−1/2)·A
        for (int i = 0; i < s.N; i++)
        {
            var row = g.AsSpan(i * s.M, s.M);
            for (int k = 0; k < s.N; k++)
            {
                double c = scale * s.InvRoot[i * s.N + k];
                if (c != 0) TensorPrimitives.MultiplyAdd<double>(s.A.AsSpan(k * s.M, s.M), c, row, row);
            }
        }
        return s.Transposed ? Transpose(g, s.N, s.M) : g;
    }

    private static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}
