// conv2d kernels (direct SIMD and im2col + GEMM) against the naive reference: size sweeps, gradients, chunked determinism.
using Mtl.Kernels;

namespace Mtl.Tests.Ops;

public class ConvKernelTests
{
    private static readonly ConvAlgorithm[] Algorithms = [ConvAlgorithm.Direct, ConvAlgorithm.Im2ColGemm];

    private static Tensor RandF(ulong seed, params int[] shape) => Tensor.RandN(shape, new Generator(seed));

    private static ConvGeometry Geo(int n, int cin, int h, int w, int cout, int kh, int kw,
        int s = 1, int p = 0, int d = 1, int groups = 1, int sw = -1, int pw = -1, int dw = -1) =>
        new(n, cin, h, w, cout, kh, kw, s, sw < 0 ? s : sw, p, pw < 0 ? p : pw, d, dw < 0 ? d : dw, groups);

    private static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"{what}: element {i} expected {e[i]:G9}, got {a[i]:G9}");
    }

    /// <summary>Forward, input gradient and weight gradient of every algorithm against the reference.</summary>
    private static void CheckAll(ConvGeometry g, ulong seed, bool bias = true, int minPerChunk = 0)
    {
        var x = RandF(seed, g.InputShape);
        var w = RandF(seed + 1, g.WeightShape);
        var b = bias ? RandF(seed + 2, g.Cout) : null;
        var gy = RandF(seed + 3, g.OutputShape);
        var yRef = ConvReference.Forward(x, w, b, g);
        var dxRef = ConvReference.InputGrad(gy, w, g);
        var dwRef = ConvReference.WeightGrad(x, gy, g);
        foreach (var algo in Algorithms)
        {
            string what = $"{algo} {g}";
            AssertClose(yRef, ConvKernels.Forward(x, w, b, g, algo, minPerChunk), 1e-4, what + " forward");
            AssertClose(dxRef, ConvKernels.InputGrad(gy, w, g, algo, minPerChunk), 1e-4, what + " dx");
            AssertClose(dwRef, ConvKernels.WeightGrad(x, gy, g, algo, minPerChunk), 1e-4, what + " dw");
        }
    }

    public static TheoryData<int> Widths => new() { 1, 2, 7, 8, 9, 15, 16, 17, 33 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Size_sweep_3x3_same_padding(int size)
    {
        CheckAll(Geo(2, 3, size, size, 5, 3, 3, p: 1), (ulong)size);
        CheckAll(Geo(1, 1, size, size + 3, 1, 3, 3, p: 1), (ulong)size + 100, bias: false);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(9)]
    public void Output_channel_tails(int cout)
    {
        CheckAll(Geo(2, 2, 6, 11, cout, 2, 3), (ulong)cout);       // narrow output: channel-lane weight gradient
        CheckAll(Geo(2, 2, 3, 20, cout, 2, 3), (ulong)cout + 25);  // wide output: column-lane weight gradient
        CheckAll(Geo(2, cout, 6, 11, 3, 3, 2, p: 1), (ulong)cout + 50); // cout becomes the input-gradient block tail
    }

    [Fact]
    public void LeNet_layers()
    {
        CheckAll(Geo(3, 1, 28, 28, 10, 5, 5), 1);
        CheckAll(Geo(3, 10, 12, 12, 20, 5, 5), 2);
    }

    [Fact]
    public void Padding_wider_than_kernel_and_one_by_one_kernels()
    {
        CheckAll(Geo(2, 3, 5, 4, 2, 1, 1), 3);             // pointwise: no im2col
        CheckAll(Geo(2, 3, 5, 4, 2, 1, 1, p: 2), 4);       // 1×1 with padding 2: the input gradient crops
        CheckAll(Geo(2, 2, 4, 6, 3, 3, 3, p: 3, pw: 1), 5);
        CheckAll(Geo(1, 2, 1, 1, 3, 3, 3, p: 1), 6);       // 1×1 image
    }

    [Fact]
    public void Strided_dilated_and_grouped_geometries()
    {
        CheckAll(Geo(2, 4, 9, 8, 6, 3, 3, s: 2, p: 1), 7);
        CheckAll(Geo(2, 4, 9, 8, 6, 3, 2, s: 1, p: 2, d: 2), 8);
        CheckAll(Geo(2, 4, 9, 8, 6, 3, 3, p: 1, groups: 2), 9);
        CheckAll(Geo(2, 4, 9, 8, 4, 3, 3, p: 1, groups: 4), 10);
        CheckAll(Geo(3, 6, 10, 7, 9, 2, 3, s: 2, p: 1, d: 1, groups: 3, sw: 1, pw: 0, dw: 2), 11);
    }

    [Fact]
    public void Empty_batch_and_chunked_batches()
    {
        CheckAll(Geo(0, 2, 5, 5, 3, 3, 3), 12);
        CheckAll(Geo(2, 2, 0, 0, 3, 1, 1, p: 1), 15);   // empty image, padding only: bias everywhere
        CheckAll(Geo(2, 2, 0, 3, 3, 1, 2, p: 1), 16);
        // One sample per chunk: per-chunk partial weight gradients are reduced in chunk order.
        CheckAll(Geo(5, 3, 7, 9, 4, 3, 3, p: 1), 13, minPerChunk: 1);
        CheckAll(Geo(5, 3, 7, 9, 4, 3, 3, s: 2, p: 1), 14, minPerChunk: 1);
    }

    [Fact]
    public void Float64_runs_im2col_and_matches_reference()
    {
        var g = Geo(2, 4, 6, 7, 4, 3, 2, s: 2, p: 1, groups: 2);
        Assert.Equal(ConvAlgorithm.Im2ColGemm, ConvKernels.Resolve(g, DType.Float64, ConvAlgorithm.Direct));
        var x = TestUtil.RandD(1, g.InputShape);
        var w = TestUtil.RandD(2, g.WeightShape);
        TestUtil.Close(ConvReference.Forward(x, w, null, g).ToArray<double>(), ConvKernels.Forward(x, w, null, g).ToArray<double>(), 1e-12);
    }

    [Fact]
    public void Chunked_weight_gradient_is_bit_identical_run_to_run()
    {
        var g = Geo(7, 3, 9, 10, 5, 3, 3, p: 1);
        var x = RandF(20, g.InputShape);
        var gy = RandF(21, g.OutputShape);
        foreach (var algo in Algorithms)
        {
            var first = ConvKernels.WeightGrad(x, gy, g, algo, minPerChunk: 1).ToArray<float>();
            for (int rep = 0; rep < 3; rep++)
                Assert.Equal(first, ConvKernels.WeightGrad(x, gy, g, algo, minPerChunk: 1).ToArray<float>());
        }
    }
}
