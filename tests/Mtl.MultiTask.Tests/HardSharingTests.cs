// Hard sharing: parameter layout, shape errors naming the task, and learning two synthetic tasks from the public API.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Tests;

public class HardSharingTests
{
    private static TaskSpec[] Tasks() =>
    [
        new TaskSpec("sign", TaskKind.Classification, 2),
        new TaskSpec("value", TaskKind.Regression, 1) { Head = w => new Sequential(new Linear(w, 8), new ReLU(), new Linear(8, 1)) },
    ];

    private static HardSharing Model(Generator g) =>
        new(new Sequential(new Linear(6, 16, generator: g), new Tanh()), 16, Tasks());

    [Fact]
    public void Parameters_are_named_by_encoder_and_task()
    {
        var names = Model(new Generator(1)).NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("encoder.0.weight", names);
        Assert.Contains("heads.sign.weight", names);
        Assert.Contains("heads.value.2.bias", names);
    }

    [Fact]
    public void Bad_declarations_and_shapes_name_the_task()
    {
        var dup = Assert.Throws<ArgumentException>(() => TaskSpec.Validate([new TaskSpec("a", TaskKind.Regression, 1), new TaskSpec("a", TaskKind.Regression, 2)]));
        Assert.Contains("'a'", dup.Message);
        var wrongWidth = new HardSharing(new Linear(6, 12), 16, Tasks());
        var e = Assert.Throws<ArgumentException>(() => wrongWidth.Forward(Tensor.Zeros([3, 6])));
        Assert.Contains("(3, 12)", e.Message);
        Assert.Contains("(B, 16)", e.Message);
        var badHead = new HardSharing(new Linear(6, 16), 16, [new TaskSpec("t", TaskKind.Classification, 3) { Head = w => new Linear(w, 2) }]);
        var h = Assert.Throws<ArgumentException>(() => badHead.Forward(Tensor.Zeros([3, 6])));
        Assert.Contains("task 't'", h.Message);
        Assert.Contains("(3, 2)", h.Message);
    }

    [Fact]
    public void Learns_a_classification_and_a_regression_task_jointly()
    {
        var g = new Generator(5);
        var model = Model(g);
        var a = Tensor.RandN([6, 1], g);
        var b = Tensor.RandN([6, 1], g);
        var opt = new Adam(model.Parameters(), new AdamOptions { Lr = 0.01 });
        var specs = model.Tasks.ToDictionary(t => t.Name);
        for (int step = 0; step < 300; step++)
        {
            using var scope = Mtl.Storage.TensorScope.Begin();
            var x = Tensor.RandN([64, 6], g);
            var (cls, val) = Targets(x, a, b);
            var outputs = model.Forward(x);
            var loss = specs["sign"].ResolveLoss().Compute(outputs["sign"], cls)
                .Add(specs["value"].ResolveLoss().Compute(outputs["value"], val));
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
        }
        var xt = Tensor.RandN([500, 6], new Generator(99));
        var (ct, vt) = Targets(xt, a, b);
        IReadOnlyDictionary<string, Tensor> o;
        using (GradMode.NoGrad()) o = model.Forward(xt);
        var acc = new Accuracy();
        acc.Update(o["sign"], ct);
        var r2 = new RSquared();
        r2.Update(o["value"], vt);
        Assert.True(acc.Compute() > 0.9, $"accuracy {acc.Compute():F3} (chance 0.5)");
        Assert.True(r2.Compute() > 0.8, $"R² {r2.Compute():F3} (0 = predicting the mean)");
    }

    // sign task: class 1 where x·a > 0; value task: x·b.
    private static (Tensor Classes, Tensor Values) Targets(Tensor x, Tensor a, Tensor b)
    {
        var s = x.MatMul(a).ToArray<float>();
        return (Tensor.From(s.Select(v => v > 0 ? 1 : 0).ToArray(), s.Length), x.MatMul(b).Detach());
    }
}
