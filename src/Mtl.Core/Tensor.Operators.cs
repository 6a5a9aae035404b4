// C# operators on tensors, forwarding to the differentiable ops.
namespace Mtl;

public sealed partial class Tensor
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a − b with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Element-wise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Element-wise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>−x.</summary>
    public static Tensor operator -(Tensor x) => x.Neg();
    /// <summary>x + s.</summary>
    public static Tensor operator +(Tensor x, double s) => x.AddScalar(s);
    /// <summary>s + x.</summary>
    public static Tensor operator +(double s, Tensor x) => x.AddScalar(s);
    /// <summary>x − s.</summary>
    public static Tensor operator -(Tensor x, double s) => x.AddScalar(-s);
    /// <summary>s − x.</summary>
    public static Tensor operator -(double s, Tensor x) => x.RSubScalar(s);
    /// <summary>x · s.</summary>
    public static Tensor operator *(Tensor x, double s) => x.MulScalar(s);
    /// <summary>s · x.</summary>
    public static Tensor operator *(double s, Tensor x) => x.MulScalar(s);
    /// <summary>x / s.</summary>
    public static Tensor operator /(Tensor x, double s) => x.DivScalar(s);
}
