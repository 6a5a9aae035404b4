// The gradient checker itself must catch a wrong backward: a deliberately broken op has to fail the check.
namespace Mtl.Tests.Engine;

public class GradCheckSelfTest
{
    [Fact]
    public void A_wrong_gradient_fails_the_check()
    {
        var x = TestUtil.RandD(1, 5);
        // Forward x², but the recorded backward claims 3x: GradCheck must report the mismatch.
        static Tensor Broken(Tensor t)
        {
            Tensor r;
            using (GradMode.NoGrad()) r = t.Detach().Square();
            return Mtl.Autograd.Record(r, "broken", [t], g => [g.Mul(t).MulScalar(3)], t);
        }
        var result = GradCheck.Run(v => Broken(v[0]), [x]);
        Assert.False(result.Passed);
        Assert.Contains("analytic", result.Detail);
        Assert.True(GradCheck.Run(v => v[0].Square(), [x]).Passed);
    }

    [Fact]
    public void Inputs_must_be_float64()
    {
        Assert.Throws<ArgumentException>(() => GradCheck.Run(v => v[0], [Tensor.Ones([2])]));
    }
}
