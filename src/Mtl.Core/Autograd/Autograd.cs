// The reverse-mode engine: records op nodes, runs backward in topological order, and computes gradients on demand.
using System.Numerics.Tensors;

namespace Mtl;

/// <summary>
/// Reverse-mode automatic differentiation. Ops record a <see cref="GradNode"/> on their output when grad mode is on
/// and any input requires a gradient; <see cref="Backward"/> accumulates into leaves' <see cref="Tensor.Grad"/>, and
/// <see cref="Grad"/> returns gradients without touching <see cref="Tensor.Grad"/> (one call per task on one graph).
/// </summary>
public static class Autograd
{
    internal static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    internal static bool ShouldRecord(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    internal static bool ShouldRecord(ReadOnlySpan<Tensor> ts)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in ts) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Attaches a node to <paramref name="output"/> and returns it.</summary>
    internal static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, params Tensor[] saved)
    {
        output.GradFn = new GradNode(op, inputs, backward, saved, output.ShapeArray, output.DType);
        return output;
    }

    /// <summary>
    /// Fails clearly when a kernel-backed backward would be asked to build a graph of its own (double backward).
    /// </summary>
    internal static void RequireFirstOrder(string op, Tensor grad)
    {
        if (GradMode.IsEnabled && grad.RequiresGrad)
            throw new NotSupportedException($"'{op}' does not support double backward (createGraph: true through {op})");
    }

    /// <summary>
    /// Backpropagates from <paramref name="root"/>, accumulating into the leaves' <see cref="Tensor.Grad"/>. The graph is
    /// kept when <paramref name="retainGraph"/> is true (default: only when <paramref name="createGraph"/>), as PyTorch.
    /// </summary>
    public static void Backward(Tensor root, Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false)
    {
        var seed = SeedGradient(root, gradient, "Backward");
        Run([root], [seed], retainGraph ?? createGraph, createGraph, requested: null);
    }

    /// <summary>
    /// Gradients of Σ outputs (weighted by <paramref name="gradOutputs"/>, default ones for scalars) with respect to
    /// <paramref name="inputs"/>, which may be leaves or intermediate tensors. <see cref="Tensor.Grad"/> is untouched.
    /// An input the outputs do not depend on gives null with <paramref name="allowUnused"/>, else an error.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? gradOutputs = null,
        bool? retainGraph = null, bool createGraph = false, bool allowUnused = false)
    {
        if (outputs.Count == 0) throw new ArgumentException("Autograd.Grad: no outputs given");
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Autograd.Grad: {gradOutputs.Count} gradOutputs for {outputs.Count} outputs");
        var seeds = new Tensor[outputs.Count];
        for (int i = 0; i < outputs.Count; i++) seeds[i] = SeedGradient(outputs[i], gradOutputs?[i], "Grad");
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new ArgumentException($"Autograd.Grad: input {i} {inputs[i].ShapeString} does not require grad");
        var requested = new Dictionary<Tensor, Tensor?>(ReferenceEqualityComparer.Instance);
        foreach (var t in inputs) requested[t] = null;
        Run(outputs.ToArray(), seeds, retainGraph ?? createGraph, createGraph, requested);
        var result = new Tensor?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            result[i] = requested[inputs[i]];
            if (result[i] is null && !allowUnused)
                throw new InvalidOperationException($"Autograd.Grad: input {i} {inputs[i].ShapeString} is not used by the outputs; pass allowUnused: true to get null");
        }
        return result;
    }

    private static Tensor SeedGradient(Tensor output, Tensor? gradient, string caller)
    {
        if (!output.RequiresGrad)
            throw new InvalidOperationException($"{caller}: tensor {output.ShapeString} does not require grad and has no grad_fn");
        if (gradient is null)
        {
            if (output.Numel != 1)
                throw new InvalidOperationException($"{caller}: output {output.ShapeString} is not a scalar; pass a gradient of the same shape");
            return Tensor.OnesLike(output);
        }
        if (!ShapeUtil.SameShape(gradient.Shape, output.Shape) || gradient.DType != output.DType)
            throw new ArgumentException($"{caller}: gradient {gradient.DType} {gradient.ShapeString} does not match output {output.DType} {output.ShapeString}");
        return gradient;
    }

    private static void Run(Tensor[] roots, Tensor[] seeds, bool retainGraph, bool createGraph, Dictionary<Tensor, Tensor?>? requested)
    {
        var graph = GraphPlan.Build(roots, requested);
        var pending = new Dictionary<GradNode, Tensor>(ReferenceEqualityComparer.Instance);

        using var mode = createGraph ? GradMode.EnableGrad() : GradMode.NoGrad();
        for (int i = 0; i < roots.Length; i++) Deliver(roots[i], seeds[i], pending, requested, createGraph);

        foreach (var node in graph.Order)
        {
            if (!pending.Remove(node, out var g)) continue; // nothing reached it (e.g. all inputs pruned)
            if (graph.RequestedNodes?.TryGetValue(node, out var reqTensor) == true)
                requested![reqTensor] = Accumulate(requested[reqTensor], g);
            if (!graph.Expand.Contains(node)) continue;
            var grads = node.Apply(g);
            var inputs = node.Inputs;
            for (int i = 0; i < grads.Length; i++)
            {
                var gi = grads[i];
                if (gi is null) continue;
                var inp = inputs[i];
                if (!inp.RequiresGrad) continue;
                if (!ShapeUtil.SameShape(gi.Shape, inp.Shape))
                    throw new InvalidOperationException($"internal: backward of '{node.OpName}' produced gradient {gi.ShapeString} for input {i} of shape {inp.ShapeString}");
                Deliver(inp, gi, pending, requested, createGraph);
            }
            if (!retainGraph) node.Release();
        }
    }

    private static void Deliver(Tensor target, Tensor grad, Dictionary<GradNode, Tensor> pending, Dictionary<Tensor, Tensor?>? requested, bool createGraph)
    {
        if (target.GradFn is { } fn)
        {
            pending[fn] = pending.TryGetValue(fn, out var prev) ? Accumulate(prev, grad) : grad;
            return;
        }
        if (requested is not null)
        {
            if (requested.TryGetValue(target, out var prev)) requested[target] = Accumulate(prev, grad);
            return;
        }
        AccumulateIntoLeaf(target, grad, createGraph);
    }

    private static Tensor Accumulate(Tensor? prev, Tensor grad)
    {
        // Runs under the pass's grad mode: recorded only when createGraph.
        return prev is null ? grad : prev.Add(grad);
    }

    /// <summary>Adds <paramref name="grad"/> to <paramref name="leaf"/>'s .Grad as a backward pass would (first order).</summary>
    internal static void AccumulateGrad(Tensor leaf, Tensor grad)
    {
        if (!ShapeUtil.SameShape(grad.Shape, leaf.Shape) || grad.DType != leaf.DType)
            throw new ArgumentException($"AccumulateGrad: gradient {grad.DType} {grad.ShapeString} does not match {leaf.DType} {leaf.ShapeString}");
        using var mode = GradMode.NoGrad();
        AccumulateIntoLeaf(leaf, grad, createGraph: false);
    }

    private static void AccumulateIntoLeaf(Tensor leaf, Tensor grad, bool createGraph)
    {
        if (createGraph)
        {
            leaf.Grad = leaf.Grad is null ? grad : leaf.Grad + grad;
            return;
        }
        var existing = leaf.Grad;
        if (existing is null || existing.Storage.IsReleased || !ShapeUtil.SameShape(existing.Shape, leaf.Shape) || existing.DType != leaf.DType)
        {
            var fresh = Tensor.EmptyUnscoped(leaf.ShapeArray, leaf.DType);
            grad.CopyDataTo(fresh);
            leaf.Grad = fresh;
            return;
        }
        var src = grad.IsContiguous ? grad : grad.Contiguous();
        if (!existing.IsContiguous) throw new InvalidOperationException($"the .Grad of a leaf {leaf.ShapeString} is not contiguous");
        if (existing.DType == DType.Float32) TensorPrimitives.Add(existing.Span<float>(), src.Span<float>(), existing.Span<float>());
        else TensorPrimitives.Add(existing.Span<double>(), src.Span<double>(), existing.Span<double>());
        existing.BumpVersion();
    }
}
