// Finite-difference gradient checks of element-wise arithmetic, math and activations, incl. broadcasting and strides.
using static Mtl.Tests.TestUtil;

namespace Mtl.Tests.Ops;

public class ElementwiseGradTests
{
    public static TheoryData<string> BinaryOps => new() { "add", "sub", "mul", "div", "maximum", "minimum", "pow" };

    private static Tensor Binary(string op, Tensor a, Tensor b) => op switch
    {
        "add" => a.Add(b),
        "sub" => a.Sub(b),
        "mul" => a.Mul(b),
        "div" => a.Div(b),
        "maximum" => a.Maximum(b),
        "minimum" => a.Minimum(b),
        "pow" => a.Pow(b),
        _ => throw new ArgumentException(op),
    };

    private static Tensor Positive(Tensor t) => t.Abs().AddScalar(0.5).Detach();

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_same_shape(string op)
    {
        var a = Positive(RandD(1, 3, 4));
        var b = Positive(RandD(2, 3, 4));
        GradOk(x => Binary(op, x[0], x[1]), a, b);
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_broadcasting(string op)
    {
        var a = Positive(RandD(3, 2, 3, 4));
        var b = Positive(RandD(4, 3, 1));
        GradOk(x => Binary(op, x[0], x[1]), a, b);
        GradOk(x => Binary(op, x[1], x[0]), a, b);
        var s = Positive(RandD(5, 1));
        GradOk(x => Binary(op, x[0], x[1]), a, s);
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_non_contiguous(string op)
    {
        var a = Positive(StridedD(6, 3, 4)).Detach();
        var bBase = Positive(RandD(7, 4, 3));
        GradOk(x => Binary(op, x[0], x[1].T()), a, bBase);
        GradOk(x => Binary(op, x[0].T(), x[1]), RandD(8, 4, 3).Abs().AddScalar(0.5), Positive(RandD(9, 3, 4)));
    }

    public static TheoryData<string> UnaryOps => new()
    {
        "neg", "exp", "log", "sqrt", "pow3", "pow_half", "square", "abs", "clamp", "relu", "leaky_relu", "gelu", "gelu_tanh",
        "sigmoid", "tanh", "softplus", "softplus_beta", "add_scalar", "mul_scalar", "rsub",
    };

    private static Tensor Unary(string op, Tensor x) => op switch
    {
        "neg" => x.Neg(),
        "exp" => x.Exp(),
        "log" => x.Abs().AddScalar(0.1).Log(),
        "sqrt" => x.Abs().AddScalar(0.1).Sqrt(),
        "pow3" => x.Pow(3),
        "pow_half" => x.Abs().AddScalar(0.1).Pow(0.5),
        "square" => x.Square(),
        "abs" => x.Abs(),
        "clamp" => x.Clamp(-0.5, 0.7),
        "relu" => x.Relu(),
        "leaky_relu" => x.LeakyRelu(0.2),
        "gelu" => x.Gelu(),
        "gelu_tanh" => x.Gelu(tanhApproximation: true),
        "sigmoid" => x.Sigmoid(),
        "tanh" => x.Tanh(),
        "softplus" => x.MulScalar(3).Softplus(),
        "softplus_beta" => x.Softplus(beta: 2, threshold: 1),
        "add_scalar" => x.AddScalar(2.5),
        "mul_scalar" => x.MulScalar(-1.5),
        "rsub" => 3.0 - x,
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_contiguous_and_strided(string op)
    {
        // Keep samples away from kinks (|x| < 0.02) where central differences are not meaningful.
        var x = RandD(11, 3, 5);
        var xs = StridedD(12, 4, 3);
        GradOk(t => Unary(op, AwayFromKinks(t[0])), x);
        GradOk(t => Unary(op, AwayFromKinks(t[0])), xs);
    }

    private static Tensor AwayFromKinks(Tensor t)
    {
        // x + 0.05·sign(x) keeps |x| ≥ 0.05, differentiably (sign is a constant almost everywhere).
        return t.Add(t.Sign().MulScalar(0.05));
    }

    [Fact]
    public void Where_routes_gradients_to_selected_side()
    {
        var cond = Tensor.From(new double[] { 1, 0, 1, 0, 0, 1 }, 2, 3);
        GradOk(x => CompareOps.Where(cond, x[0], x[1]), RandD(1, 2, 3), RandD(2, 1, 3));
    }

    [Fact]
    public void Gelu_matches_known_values()
    {
        var x = Tensor.From(new double[] { -3, -1, 0, 0.5, 2 });
        // x·Φ(x) from Python's math.erf.
        double[] expected = [-0.00404969409489031, -0.15865525393145707, 0, 0.34573123063700656, 1.9544997361036416];
        Close(expected, x.Gelu().ToArray<double>(), 1e-13);
    }
}
