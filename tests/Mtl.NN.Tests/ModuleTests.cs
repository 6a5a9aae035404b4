// The Module base: registration order, names, train/eval, freezing, state dict round trips and mismatch errors.
namespace Mtl.NN.Tests;

public class ModuleTests
{
    private sealed class Leaf : Module<Tensor, Tensor>
    {
        public Leaf(int n)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([n, n]))!;
            Bias = RegisterParameter("bias", Tensor.Zeros([n]))!;
            RegisterBuffer("count", Tensor.Zeros([1]));
            RegisterBuffer("scratch", Tensor.Zeros([1]), persistent: false);
        }

        public Tensor Weight { get; }
        public Tensor Bias { get; }
        public override Tensor Forward(Tensor x) => x.MatMul(Weight).Add(Bias);
        protected override string ExtraRepr() => $"n={Weight.Shape[0]}";
        protected override void ResetOwnParameters(Generator g) => Init.Uniform(Weight, -1, 1, g);
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net()
        {
            Trunk = RegisterModule("trunk", new Leaf(3));
            Head = RegisterModule("head", new Leaf(3));
        }

        public Leaf Trunk { get; }
        public Leaf Head { get; }
        public override Tensor Forward(Tensor x) => Head.Forward(Trunk.Forward(x).Relu());
    }

    [Fact]
    public void Names_follow_registration_order_with_dotted_prefixes()
    {
        var net = new Net();
        Assert.Equal(new[] { "trunk.weight", "trunk.bias", "head.weight", "head.bias" }, net.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { "trunk.weight", "trunk.bias", "trunk.count", "head.weight", "head.bias", "head.count" }, net.StateDict().Keys);
        Assert.Equal(new[] { "", "trunk", "head" }, net.NamedModules().Select(m => m.Name));
        Assert.Equal(24, net.ParameterCount());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void Train_eval_and_freeze_apply_to_the_subtree()
    {
        var net = new Net();
        net.Eval();
        Assert.False(net.Trunk.Training);
        net.Train();
        Assert.True(net.Head.Training);
        net.Trunk.Freeze();
        Assert.Equal(12, net.ParameterCount(trainableOnly: true));
        net.Forward(Tensor.Ones([2, 3])).Sum().Backward();
        Assert.Null(net.Trunk.Weight.Grad);
        Assert.NotNull(net.Head.Weight.Grad);
        net.Trunk.Unfreeze();
        Assert.Equal(24, net.ParameterCount(trainableOnly: true));
    }

    [Fact]
    public void State_dict_round_trips_and_reset_changes_values()
    {
        var a = new Net();
        a.ResetParameters(new Generator(1));
        var b = new Net();
        b.ResetParameters(new Generator(2));
        Assert.NotEqual(a.Trunk.Weight.ToArray<float>(), b.Trunk.Weight.ToArray<float>());
        var result = b.LoadStateDict(a.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Equal(a.Trunk.Weight.ToArray<float>(), b.Trunk.Weight.ToArray<float>());
        Assert.True(b.Trunk.Weight.RequiresGrad);
    }

    [Fact]
    public void Mismatched_state_dict_names_keys_and_loads_nothing()
    {
        var net = new Net();
        net.ResetParameters(new Generator(3));
        var before = net.Head.Weight.ToArray<float>();
        var sd = new Net().StateDict();
        sd["head.weight"] = Tensor.Zeros([4, 3]);
        sd.Remove("trunk.bias");
        sd["extra.weight"] = Tensor.Zeros([1]);
        var e = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(sd));
        Assert.Contains("'head.weight'", e.Message);
        Assert.Contains("(4, 3)", e.Message);
        Assert.Contains("(3, 3)", e.Message);
        Assert.Contains("trunk.bias", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.Equal(before, net.Head.Weight.ToArray<float>());   // nothing half-loaded
        sd["head.weight"] = Tensor.Zeros([3, 3]);
        var partial = net.LoadStateDict(sd, strict: false);
        Assert.Equal(new[] { "trunk.bias" }, partial.MissingKeys);
        Assert.Equal(new[] { "extra.weight" }, partial.UnexpectedKeys);
        Assert.Equal(new float[9], net.Head.Weight.ToArray<float>());
    }

    [Fact]
    public void ToString_shows_a_tree_with_counts()
    {
        var s = new Net().ToString();
        Assert.Contains("(trunk): Leaf(n=3)  # 12 params", s);
        Assert.Contains("Net(", s);
        Assert.Contains("# 24 params", s);
    }

    [Fact]
    public void Duplicate_or_dotted_names_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BadNames(dup: true));
        Assert.Throws<ArgumentException>(() => new BadNames(dup: false));
    }

    private sealed class BadNames : Module
    {
        public BadNames(bool dup)
        {
            RegisterParameter("w", Tensor.Ones([1]));
            if (dup) RegisterBuffer("w", Tensor.Ones([1]));
            else RegisterParameter("a.b", Tensor.Ones([1]));
        }
    }
}
