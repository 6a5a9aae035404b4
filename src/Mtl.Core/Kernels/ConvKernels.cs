// Chooses the conv2d kernel (direct SIMD or im2col + GEMM), makes operands dense, and runs forward and the gradients.
using System.Numerics.Tensors;

namespace Mtl.Kernels;

/// <summary>Which conv2d implementation runs.</summary>
internal enum ConvAlgorithm
{
    /// <summary>The direct kernel where it applies (float32, stride 1, dilation 1), else im2col + GEMM.</summary>
    Auto,
    /// <summary>im2col + Gemm.Sgemm/Dgemm: every geometry and dtype.</summary>
    Im2ColGemm,
    /// <summary>Direct register-blocked SIMD correlation; falls back to im2col + GEMM where it does not apply.</summary>
    Direct,
}

/// <summary>
/// Entry points of the conv2d kernels on tensors of any layout. Auto picks the direct kernel wherever it applies.
/// Measured per call on the LeNet layers (batch 256, 1 thread, AVX2 EPYC, CPU time; forward / input grad / weight grad):
/// <code>
///                       1→10 5×5 on 28×28     10→20 5×5 on 12×12
/// direct SIMD           1.6 / 5.3 / 2.7 ms    2.2 / 5.3 / 3.8 ms
/// im2col + gemm-branch  3.4 / 3.4 / 4.4 ms    6.5 / 6.6 / 7.1 ms   (packed GEMM of branch gemm at f317835)
/// im2col + interim      62 / 48 / 45 ms       91 / 99 / 92 ms      (naive GemmInterim)
/// </code>
/// Direct wins everywhere except the input gradient of a 1-channel layer (its 4-channel register block is 3/4 empty),
/// which a first layer never needs. The `conv` benchmark prints both paths; re-check after GEMM changes.
/// </summary>
internal static class ConvKernels
{
    /// <summary>Overrides <see cref="ConvAlgorithm.Auto"/> process-wide (for the benchmark only; tests pass an algorithm).</summary>
    internal static ConvAlgorithm Preferred { get; set; } = ConvAlgorithm.Auto;

    /// <summary>The algorithm that will actually run.</summary>
    public static ConvAlgorithm Resolve(ConvGeometry g, DType dtype, ConvAlgorithm algo)
    {
        if (algo == ConvAlgorithm.Auto) algo = Preferred == ConvAlgorithm.Auto ? ConvAlgorithm.Direct : Preferred;
        return algo == ConvAlgorithm.Direct && ConvDirectKernel.Supports(g, dtype) ? ConvAlgorithm.Direct : ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>Samples per parallel chunk: enough that a chunk holds ~64k multiply-adds.</summary>
    public static int MinPerChunk(ConvGeometry g) => (int)Math.Clamp(65536 / Math.Max(1, g.MacsPerSample), 1, int.MaxValue);

    /// <summary>(N, Cout, Hout, Wout) = conv(x, w) + b.</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor? b, ConvGeometry g, ConvAlgorithm algo = ConvAlgorithm.Auto, int minPerChunk = 0)
    {
        var y = Tensor.Empty(g.OutputShape, x.DType);
        if (y.Numel == 0) return y;
        x = Dense(x);
        w = Dense(w);
        if (b is not null) b = Dense(b);
        int mpc = minPerChunk > 0 ? minPerChunk : MinPerChunk(g);
        if (Resolve(g, x.DType, algo) == ConvAlgorithm.Direct) ConvDirectKernel.Forward(x, w, b, g, y, mpc);
        else if (x.DType == DType.Float32) ConvGemmKernel.Forward<float>(x, w, b, g, y, mpc);
        else ConvGemmKernel.Forward<double>(x, w, b, g, y, mpc);
        return y;
    }

    /// <summary>(N, Cin, H, W): the gradient of conv(x, w) with respect to x, given gy (N, Cout, Hout, Wout).</summary>
    public static Tensor InputGrad(Tensor gy, Tensor w, ConvGeometry g, ConvAlgorithm algo = ConvAlgorithm.Auto, int minPerChunk = 0)
    {
        var dx = Tensor.Empty(g.InputShape, gy.DType);
        if (dx.Numel == 0) return dx;
        if (g.Cout == 0 || g.HWout == 0) { dx.ClearRaw(); return dx; }
        gy = Dense(gy);
        w = Dense(w);
        int mpc = minPerChunk > 0 ? minPerChunk : MinPerChunk(g);
        if (Resolve(g, gy.DType, algo) == ConvAlgorithm.Direct) ConvDirectKernel.InputGrad(gy, w, g, dx, mpc);
        else if (gy.DType == DType.Float32) ConvGemmKernel.InputGrad<float>(gy, w, g, dx, mpc);
        else ConvGemmKernel.InputGrad<double>(gy, w, g, dx, mpc);
        return dx;
    }

    /// <summary>(Cout, Cin/groups, KH, KW): the gradient of conv(x, w) with respect to w, given gy.</summary>
    public static Tensor WeightGrad(Tensor x, Tensor gy, ConvGeometry g, ConvAlgorithm algo = ConvAlgorithm.Auto, int minPerChunk = 0)
    {
        var dw = Tensor.Empty(g.WeightShape, gy.DType);
        if (dw.Numel == 0) return dw;
        if (g.N == 0 || g.HWout == 0) { dw.ClearRaw(); return dw; }
        x = Dense(x);
        gy = Dense(gy);
        int mpc = minPerChunk > 0 ? minPerChunk : MinPerChunk(g);
        if (Resolve(g, gy.DType, algo) == ConvAlgorithm.Direct) ConvDirectKernel.WeightGrad(x, gy, g, dw, mpc);
        else if (gy.DType == DType.Float32) ConvGemmKernel.WeightGrad<float>(x, gy, g, dw, mpc);
        else ConvGemmKernel.WeightGrad<double>(x, gy, g, dw, mpc);
        return dw;
    }

    /// <summary>(Cout,): Σ over batch and pixels of gy, summed per channel in a fixed order.</summary>
    public static Tensor BiasGrad(Tensor gy, ConvGeometry g)
    {
        var db = Tensor.Empty([g.Cout], gy.DType);
        gy = Dense(gy);
        if (gy.DType == DType.Float32) BiasGrad<float>(gy.Span<float>(), g, db.Span<float>());
        else BiasGrad<double>(gy.Span<double>(), g, db.Span<double>());
        return db;
    }

    private static void BiasGrad<T>(ReadOnlySpan<T> gy, ConvGeometry g, Span<T> db) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int hw = g.HWout;
        for (int co = 0; co < g.Cout; co++)
        {
            T s = T.Zero;
            for (int n = 0; n < g.N; n++) s += TensorPrimitives.Sum(gy.Slice((n * g.Cout + co) * hw, hw));
            db[co] = s;
        }
    }

    private static Tensor Dense(Tensor t)
    {
        if (t.IsContiguous) return t;
        using (GradMode.NoGrad()) return t.Detach().Contiguous();
    }
}
