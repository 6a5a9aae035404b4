// Naive direct-loop conv2d (forward, input gradient, weight gradient): the test oracle for the fast conv kernels.
using System.Numerics;

namespace Mtl.Kernels;

/// <summary>
/// Textbook seven-deep loops straight from the definition, accumulating in double. Slow and obviously right:
/// y[n, co, oh, ow] = b[co] + Σ_{ci, kh, kw} w[co, ci, kh, kw] · x[n, g·CinG + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW].
/// </summary>
internal static class ConvReference
{
    /// <summary>conv(x, w) + b.</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor? b, ConvGeometry g) => x.DType == DType.Float32
        ? Forward<float>(x, w, b, g) : Forward<double>(x, w, b, g);

    /// <summary>d(Σ gy·conv(x, w))/dx.</summary>
    public static Tensor InputGrad(Tensor gy, Tensor w, ConvGeometry g) => gy.DType == DType.Float32
        ? InputGrad<float>(gy, w, g) : InputGrad<double>(gy, w, g);

    /// <summary>d(Σ gy·conv(x, w))/dw.</summary>
    public static Tensor WeightGrad(Tensor x, Tensor gy, ConvGeometry g) => gy.DType == DType.Float32
        ? WeightGrad<float>(x, gy, g) : WeightGrad<double>(x, gy, g);

    private static Tensor Forward<T>(Tensor x, Tensor w, Tensor? b, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xa = x.ToArray<T>(), wa = w.ToArray<T>();
        T[]? ba = b?.ToArray<T>();
        var y = new T[ShapeUtil.Numel(g.OutputShape)];
        for (int n = 0; n < g.N; n++)
            for (int co = 0; co < g.Cout; co++)
                for (int oh = 0; oh < g.Hout; oh++)
                    for (int ow = 0; ow < g.Wout; ow++)
                    {
                        double s = ba is null ? 0 : double.CreateChecked(ba[co]);
                        Visit(g, n, co, oh, ow, (xi, wi) => s += double.CreateChecked(xa[xi]) * double.CreateChecked(wa[wi]));
                        y[((n * g.Cout + co) * g.Hout + oh) * g.Wout + ow] = T.CreateChecked(s);
                    }
        return Tensor.From<T>(y, g.OutputShape);
    }

    private static Tensor InputGrad<T>(Tensor gy, Tensor w, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] ga = gy.ToArray<T>(), wa = w.ToArray<T>();
        var dx = new double[ShapeUtil.Numel(g.InputShape)];
        for (int n = 0; n < g.N; n++)
            for (int co = 0; co < g.Cout; co++)
                for (int oh = 0; oh < g.Hout; oh++)
                    for (int ow = 0; ow < g.Wout; ow++)
                    {
                        double gv = double.CreateChecked(ga[((n * g.Cout + co) * g.Hout + oh) * g.Wout + ow]);
                        Visit(g, n, co, oh, ow, (xi, wi) => dx[xi] += gv * double.CreateChecked(wa[wi]));
                    }
        return Tensor.From<T>(dx.Select(T.CreateChecked).ToArray(), g.InputShape);
    }

    private static Tensor WeightGrad<T>(Tensor x, Tensor gy, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xa = x.ToArray<T>(), ga = gy.ToArray<T>();
        var dw = new double[ShapeUtil.Numel(g.WeightShape)];
        for (int n = 0; n < g.N; n++)
            for (int co = 0; co < g.Cout; co++)
                for (int oh = 0; oh < g.Hout; oh++)
                    for (int ow = 0; ow < g.Wout; ow++)
                    {
                        double gv = double.CreateChecked(ga[((n * g.Cout + co) * g.Hout + oh) * g.Wout + ow]);
                        Visit(g, n, co, oh, ow, (xi, wi) => dw[wi] += gv * double.CreateChecked(xa[xi]));
                    }
        return Tensor.From<T>(dw.Select(T.CreateChecked).ToArray(), g.WeightShape);
    }

    /// <summary>Calls visit(input index, weight index) for every in-bounds tap of output pixel (n, co, oh, ow).</summary>
    private static void Visit(ConvGeometry g, int n, int co, int oh, int ow, Action<int, int> visit)
    {
        int grp = co / g.CoutG;
        for (int ci = 0; ci < g.CinG; ci++)
            for (int kh = 0; kh < g.KH; kh++)
                for (int kw = 0; kw < g.KW; kw++)
                {
                    int ih = oh * g.SH - g.PH + kh * g.DH, iw = ow * g.SW - g.PW + kw * g.DW;
                    if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                    int c = grp * g.CinG + ci;
                    visit(((n * g.Cin + c) * g.H + ih) * g.W + iw, ((co * g.CinG + ci) * g.KH + kh) * g.KW + kw);
                }
    }
}
