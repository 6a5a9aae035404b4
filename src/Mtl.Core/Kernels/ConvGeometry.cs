// The sizes of one 2-D convolution (input, weight, output, stride, padding, dilation, groups), validated once by the op.
namespace Mtl.Kernels;

/// <summary>
/// Every size a conv2d kernel needs. Input (N, Cin, H, W), weight (Cout, Cin/groups, KH, KW), output
/// (N, Cout, Hout, Wout) with Hout = ⌊(H + 2·PH − DH·(KH − 1) − 1) / SH⌋ + 1 (PyTorch's formula).
/// </summary>
internal sealed record ConvGeometry(int N, int Cin, int H, int W, int Cout, int KH, int KW,
    int SH, int SW, int PH, int PW, int DH, int DW, int Groups)
{
    public int Hout { get; } = (H + 2 * PH - DH * (KH - 1) - 1) / SH + 1;
    public int Wout { get; } = (W + 2 * PW - DW * (KW - 1) - 1) / SW + 1;

    /// <summary>Input channels per group.</summary>
    public int CinG { get; } = Cin / Groups;

    /// <summary>Output channels per group.</summary>
    public int CoutG { get; } = Cout / Groups;

    /// <summary>Length of one weight row: CinG·KH·KW (the GEMM reduction size).</summary>
    public int Kg { get; } = Cin / Groups * KH * KW;

    /// <summary>Output pixels per plane.</summary>
    public int HWout { get; } = ((H + 2 * PH - DH * (KH - 1) - 1) / SH + 1) * ((W + 2 * PW - DW * (KW - 1) - 1) / SW + 1);

    public int[] InputShape => [N, Cin, H, W];
    public int[] OutputShape => [N, Cout, Hout, Wout];
    public int[] WeightShape => [Cout, CinG, KH, KW];

    /// <summary>Stride 1 and dilation 1 in both directions (what the direct kernel handles).</summary>
    public bool UnitStrideDilation => SH == 1 && SW == 1 && DH == 1 && DW == 1;

    /// <summary>A 1×1 kernel with stride 1 and no padding: the input planes already are the im2col matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Multiply-adds of the forward pass (for choosing thread chunk sizes).</summary>
    public long MacsPerSample => (long)Cout * HWout * Kg;
}
