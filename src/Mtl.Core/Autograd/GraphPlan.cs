// Plans a backward pass: the nodes reachable from the roots in topological order, pruned to those that matter.
namespace Mtl;

/// <summary>
/// The part of the graph a backward pass must visit, in an order where every node comes after all nodes that
/// consume its output. When specific inputs are requested, only nodes on a path to them are expanded.
/// </summary>
internal sealed class GraphPlan
{
    private GraphPlan(List<GradNode> order, HashSet<GradNode> expand, Dictionary<GradNode, Tensor>? requestedNodes)
    {
        Order = order;
        Expand = expand;
        RequestedNodes = requestedNodes;
    }

    /// <summary>Nodes in reverse topological order (consumers first).</summary>
    public List<GradNode> Order { get; }

    /// <summary>Nodes whose backward must run (they lead to a leaf or requested tensor).</summary>
    public HashSet<GradNode> Expand { get; }

    /// <summary>For Autograd.Grad: nodes whose output is a requested input tensor.</summary>
    public Dictionary<GradNode, Tensor>? RequestedNodes { get; }

    public static GraphPlan Build(Tensor[] roots, Dictionary<Tensor, Tensor?>? requested)
    {
        Dictionary<GradNode, Tensor>? requestedNodes = null;
        if (requested is not null)
        {
            requestedNodes = new(ReferenceEqualityComparer.Instance);
            foreach (var t in requested.Keys)
                if (t.GradFn is { } n) requestedNodes[n] = t;
        }

        // Iterative post-order DFS: a node is emitted after all of its inputs' nodes.
        var postOrder = new List<GradNode>();
        var state = new Dictionary<GradNode, bool>(ReferenceEqualityComparer.Instance); // false = on stack, true = done
        var stack = new Stack<(GradNode Node, int Next)>();
        foreach (var r in roots)
        {
            if (r.GradFn is not { } rn || state.ContainsKey(rn)) continue;
            stack.Push((rn, 0));
            state[rn] = false;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var inputs = node.Inputs;
                if (next < inputs.Length)
                {
                    stack.Push((node, next + 1));
                    if (inputs[next].GradFn is { } child && !state.ContainsKey(child))
                    {
                        state[child] = false;
                        stack.Push((child, 0));
                    }
                    continue;
                }
                state[node] = true;
                postOrder.Add(node);
            }
        }

        // Which nodes lead to something that receives a gradient (post-order visits inputs first).
        var expand = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var leads = new HashSet<GradNode>(ReferenceEqualityComparer.Instance); // expands or is requested
        foreach (var node in postOrder)
        {
            bool useful = requested is null;
            if (!useful)
            {
                foreach (var inp in node.Inputs)
                {
                    if (inp.GradFn is { } c ? leads.Contains(c) : requested!.ContainsKey(inp))
                    {
                        useful = true;
                        break;
                    }
                }
            }
            if (useful) expand.Add(node);
            if (useful || (requestedNodes?.ContainsKey(node) ?? false)) leads.Add(node);
        }

        postOrder.Reverse();
        return new GraphPlan(postOrder, expand, requestedNodes);
    }
}
