// The small Adam that UW, FAMO and GradNorm use for their own parameters: first steps, weight decay, saved state.
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Balancing.Solvers;
using Mtl.NN;

namespace Mtl.MultiTask.Tests.Balancing;

public class StrategyAdamTests
{
    [Fact]
    public void First_step_moves_lr_times_the_sign_and_a_constant_gradient_keeps_that_pace()
    {
        var adam = new StrategyAdam(0.1);
        adam.Reset(3);
        double[] x = [1, 2, 3];
        adam.Step(x, [4, -0.5, 0]);
        // m̂ = g, v̂ = g²: step lr·g/(|g| + ε); a zero gradient does not move.
        Assert.Equal(0.9, x[0], 8);
        Assert.Equal(2.1, x[1], 8);
        Assert.Equal(3, x[2]);
        adam.Step(x, [4, -0.5, 0]);   // constant g: m̂ = g and v̂ = g² again
        Assert.Equal(0.8, x[0], 8);
        Assert.Equal(2.2, x[1], 8);
        Assert.Equal(2, adam.Steps);
    }

    [Fact]
    public void Weight_decay_is_added_to_the_gradient_like_torch_adam()
    {
        var adam = new StrategyAdam(0.1, weightDecay: 0.5);
        adam.Reset(1);
        double[] x = [-2];
        adam.Step(x, [0.5]);   // g + γx = 0.5 − 1 = −0.5 < 0: x grows by lr
        Assert.Equal(-1.9, x[0], 8);
    }

    [Fact]
    public void Saved_moments_continue_bit_for_bit()
    {
        var a = new StrategyAdam(0.05);
        a.Reset(2);
        double[] x = [0.3, -1];
        a.Step(x, [1, 2]);
        a.Step(x, [-0.5, 1]);
        var dict = new StateDict();
        var state = new StrategyState(dict, "test");
        a.Write(state, "adam");
        var b = new StrategyAdam(0.05);
        b.Reset(2);
        b.Read(state, "adam");
        double[] y = (double[])x.Clone();
        a.Step(x, [0.25, -3]);
        b.Step(y, [0.25, -3]);
        Assert.Equal(x, y);
    }
}
