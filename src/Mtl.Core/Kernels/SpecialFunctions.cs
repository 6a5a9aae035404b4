// Scalar special functions .NET lacks: the error function (to double precision) and the normal density.
namespace Mtl.Kernels;

/// <summary>Special functions accurate to about 1e-15, used by GELU and its gradient.</summary>
internal static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    /// <summary>erf(x). Series with positive terms for |x| &lt; 3, continued fraction for erfc above.</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x)) return double.NaN;
        if (ax > 6) return Math.Sign(x);
        if (ax < 3)
        {
            // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n x^(2n+1) 2^n / (1*3*...*(2n+1))
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
            }
            return TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        double erfc = ErfcContinuedFraction(ax);
        return Math.Sign(x) * (1 - erfc);
    }

    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))) evaluated with modified Lentz.
    private static double ErfcContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 300; k++)
        {
            double a = k * 0.5;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) * InvSqrtPi / f;
    }

    /// <summary>Standard normal density φ(x).</summary>
    public static double NormalPdf(double x) => 0.3989422804014327 * Math.Exp(-0.5 * x * x);

    /// <summary>Standard normal CDF Φ(x) = (1 + erf(x/√2))/2.</summary>
    public static double NormalCdf(double x) => 0.5 * (1 + Erf(x * 0.7071067811865476));
}
