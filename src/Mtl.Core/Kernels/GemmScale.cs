// C = beta·C over an m×n strided matrix: the whole GEMM when k == 0 or alpha == 0 (beta == 0 writes zeros, never reads).
using System.Numerics;

namespace Mtl.Kernels;

/// <summary>Scales the rows of a strided matrix in place.</summary>
internal static unsafe class GemmScale
{
    public static void C<T>(int m, int n, T beta, T* c, nint ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else
                for (int j = 0; j < row.Length; j++) row[j] = beta * row[j];
        }
    }
}
