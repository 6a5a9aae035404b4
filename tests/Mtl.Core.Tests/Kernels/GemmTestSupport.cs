// Shared helpers of the GEMM tests: operands with NaN-poisoned padding, the float64 oracle, and setting scopes.
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.Tests.Kernels;

/// <summary>Sets the kernel, path, thread count and parallel threshold for the current thread; restores on dispose.</summary>
internal sealed class GemmSettings : IDisposable
{
    private readonly GemmKernelKind _kernel = Gemm.ForceKernel;
    private readonly SgemmPath? _path = SgemmPlan.ForcePath;
    private readonly int _threads = MtlThreads.Count;
    private readonly long _minWork = SgemmSplit.MinParallelWork;
    private readonly bool _tiny = SgemmPlan.TinyBlocks;

    public GemmSettings(GemmKernelKind kernel = GemmKernelKind.Auto, SgemmPath? path = null, int threads = 1,
        long? minParallelWork = null, bool tinyBlocks = false)
    {
        SgemmPlan.TinyBlocks = tinyBlocks;
        Gemm.ForceKernel = kernel;
        SgemmPlan.ForcePath = path;
        MtlThreads.Count = threads;
        SgemmSplit.MinParallelWork = minParallelWork ?? SgemmSplit.DefaultMinParallelWork;
    }

    public void Dispose()
    {
        Gemm.ForceKernel = _kernel;
        SgemmPlan.ForcePath = _path;
        MtlThreads.Count = _threads;
        SgemmSplit.MinParallelWork = _minWork;
        SgemmPlan.TinyBlocks = _tiny;
    }
}

/// <summary>One random GEMM problem: stored operands with padded rows (padding is NaN, so reading it would show).</summary>
internal sealed class GemmCase
{
    public const float CPad = 12345f;
    public readonly bool TransA, TransB;
    public readonly int M, N, K, Lda, Ldb, Ldc;
    public readonly float Alpha, Beta;
    public readonly float[] A, B, C0;
    private double[]? _exact, _magnitude;

    public GemmCase(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad, int seed)
    {
        (TransA, TransB, M, N, K, Alpha, Beta) = (transA, transB, m, n, k, alpha, beta);
        var rng = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Lda = aCols + pad;
        Ldb = bCols + (pad * 2) % 7;
        Ldc = n + (pad + 1) % 4;
        A = Matrix(rng, aRows, aCols, Lda, float.NaN);
        B = Matrix(rng, bRows, bCols, Ldb, float.NaN);
        C0 = Matrix(rng, m, n, Ldc, CPad);
        if (beta == 0f)
            for (int i = 0; i < m; i++) Array.Fill(C0, float.NaN, i * Ldc, n);
    }

    private static float[] Matrix(Random rng, int rows, int cols, int ld, float pad)
    {
        var x = new float[Math.Max(0, rows * ld)];
        Array.Fill(x, pad);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) x[i * ld + j] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Runs Mtl's Sgemm on a copy of C.</summary>
    public float[] Run()
    {
        var c = (float[])C0.Clone();
        Gemm.Sgemm(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, c, Ldc);
        return c;
    }

    /// <summary>Checks <paramref name="c"/> against the float64 oracle within a k-scaled error bound.</summary>
    public void Verify(float[] c, string context)
    {
        double[] exact = _exact ??= Oracle(false), magnitude = _magnitude ??= Oracle(true);
        double u = Math.Pow(2, -24);
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < Ldc; j++)
            {
                int idx = i * Ldc + j;
                if (j >= N)
                {
                    if (c[idx] != CPad) Assert.Fail($"{context}: C padding at ({i},{j}) was overwritten with {c[idx]}");
                    continue;
                }
                double tol = 2 * (K + 4) * u * magnitude[idx] + 1e-30;
                double err = Math.Abs(c[idx] - exact[idx]);
                if (!(err <= tol))
                    Assert.Fail($"{context}: C[{i},{j}] = {c[idx]} but oracle {exact[idx]} (error {err:E3} > {tol:E3})");
            }
        }
    }

    private double[] Oracle(bool magnitude)
    {
        Func<float, double> f = magnitude ? x => Math.Abs((double)x) : x => x;
        double[] a = Array.ConvertAll(A, x => f(x)), b = Array.ConvertAll(B, x => f(x)), c = Array.ConvertAll(C0, x => f(x));
        double alpha = magnitude ? Math.Abs(Alpha) : Alpha, beta = magnitude ? Math.Abs(Beta) : Beta;
        GemmReference.Gemm(TransA, TransB, M, N, K, alpha, a, Lda, b, Ldb, beta, c, Ldc);
        return c;
    }

    public override string ToString() =>
        $"m={M} n={N} k={K} transA={TransA} transB={TransB} alpha={Alpha} beta={Beta} lda={Lda} ldb={Ldb} ldc={Ldc}";
}
