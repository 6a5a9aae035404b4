// TensorScope: buffers are pooled and reused across steps, kept tensors survive, released tensors fail loudly.
using Mtl.Storage;

namespace Mtl.Tests.Tensors;

public class ScopeTests
{
    [Fact]
    public void Buffers_are_returned_and_reused_by_the_next_scope()
    {
        float[] first;
        using (TensorScope.Begin())
        {
            var t = Tensor.Empty([12345]);
            first = t.Array<float>();
        }
        using (TensorScope.Begin())
        {
            var t = Tensor.Empty([12345]);
            Assert.Same(first, t.Array<float>());
        }
    }

    [Fact]
    public void Using_a_tensor_after_its_scope_throws_and_Keep_saves_it()
    {
        Tensor dead, kept;
        using (TensorScope.Begin())
        {
            dead = Tensor.Ones([3]);
            kept = Tensor.Ones([3]).MulScalar(2).Keep();
        }
        var e = Assert.Throws<ObjectDisposedException>(() => dead.ToArray<float>());
        Assert.Contains("Keep()", e.Message);
        Assert.Equal(new float[] { 2, 2, 2 }, kept.ToArray<float>());
    }

    [Fact]
    public void A_training_like_step_allocates_little_in_steady_state()
    {
        var w = Tensor.RandN([64, 64], new Generator(1)).RequireGrad();
        var x = Tensor.RandN([32, 64], new Generator(2));
        void Step()
        {
            using var scope = TensorScope.Begin();
            var loss = x.MatMul(w).Relu().Square().Mean();
            loss.Backward();
            using (GradMode.NoGrad()) w.Grad!.Zero();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Tensor data is 32·64 floats = 8 KiB per activation; without pooling a step would allocate > 40 KiB.
        Assert.True(perStep < 20_000, $"steady-state step allocated {perStep} bytes");
    }

    [Fact]
    public void Gradients_of_leaves_outlive_the_step_scope()
    {
        var w = Tensor.Ones([4]).RequireGrad();
        using (TensorScope.Begin()) w.Mul(w).Sum().Backward();
        Assert.Equal(new float[] { 2, 2, 2, 2 }, w.Grad!.ToArray<float>());
    }
}
