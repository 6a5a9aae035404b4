// Naive pooling from the definitions (explicitly padded planes, PyTorch's adaptive bins): the oracle for PoolKernels.
namespace Mtl.Kernels;

/// <summary>
/// Straightforward pooling over (planes, H, W) double arrays. Max pooling pads with −∞ and scans each window in
/// row-major order keeping the first maximum; avg pooling pads with zeros and divides by KH·KW (count_include_pad);
/// adaptive pooling averages rows [⌊i·H/out⌋, ⌈(i+1)·H/out⌉) and likewise columns.
/// </summary>
internal static class PoolReference
{
    public static (double[] Values, int[] Indices) MaxPool(double[] x, int planes, PoolGeometry g)
    {
        int hp = g.H + 2 * g.PH, wp = g.W + 2 * g.PW;
        var y = new double[planes * g.Hout * g.Wout];
        var idx = new int[y.Length];
        for (int p = 0; p < planes; p++)
        {
            // Padded plane with −∞ borders and the source index of every cell.
            var pad = new double[hp * wp];
            var src = new int[hp * wp];
            Array.Fill(pad, double.NegativeInfinity);
            Array.Fill(src, -1);
            for (int i = 0; i < g.H; i++)
                for (int j = 0; j < g.W; j++)
                {
                    pad[(i + g.PH) * wp + j + g.PW] = x[(p * g.H + i) * g.W + j];
                    src[(i + g.PH) * wp + j + g.PW] = i * g.W + j;
                }
            for (int oh = 0; oh < g.Hout; oh++)
                for (int ow = 0; ow < g.Wout; ow++)
                {
                    double best = double.NegativeInfinity;
                    int bi = -1;
                    for (int i = oh * g.SH; i < oh * g.SH + g.KH; i++)
                        for (int j = ow * g.SW; j < ow * g.SW + g.KW; j++)
                        {
                            if (src[i * wp + j] < 0) continue;
                            if (bi < 0) bi = src[i * wp + j]; // the first real cell, kept if everything is −∞
                            if (pad[i * wp + j] > best || double.IsNaN(pad[i * wp + j])) { best = pad[i * wp + j]; bi = src[i * wp + j]; }
                        }
                    y[(p * g.Hout + oh) * g.Wout + ow] = best;
                    idx[(p * g.Hout + oh) * g.Wout + ow] = bi;
                }
        }
        return (y, idx);
    }

    public static double[] AvgPool(double[] x, int planes, PoolGeometry g)
    {
        var y = new double[planes * g.Hout * g.Wout];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < g.Hout; oh++)
                for (int ow = 0; ow < g.Wout; ow++)
                {
                    double s = 0;
                    for (int kh = 0; kh < g.KH; kh++)
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            int i = oh * g.SH - g.PH + kh, j = ow * g.SW - g.PW + kw;
                            if (i >= 0 && i < g.H && j >= 0 && j < g.W) s += x[(p * g.H + i) * g.W + j];
                        }
                    y[(p * g.Hout + oh) * g.Wout + ow] = s / (g.KH * g.KW);
                }
        return y;
    }

    public static double[] AdaptiveAvgPool(double[] x, int planes, int h, int w, int outH, int outW)
    {
        var y = new double[planes * outH * outW];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                {
                    int h0 = (int)Math.Floor((double)oh * h / outH), h1 = (int)Math.Ceiling((double)(oh + 1) * h / outH);
                    int w0 = (int)Math.Floor((double)ow * w / outW), w1 = (int)Math.Ceiling((double)(ow + 1) * w / outW);
                    double s = 0;
                    for (int i = h0; i < h1; i++)
                        for (int j = w0; j < w1; j++) s += x[(p * h + i) * w + j];
                    y[(p * outH + oh) * outW + ow] = s / ((h1 - h0) * (w1 - w0));
                }
        return y;
    }
}
