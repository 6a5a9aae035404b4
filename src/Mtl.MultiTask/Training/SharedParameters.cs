// Which parameters are shared: the ones two or more tasks reach, found from per-task gradients of one graph.
namespace Mtl.MultiTask.Training;

/// <summary>
/// The shared parameters θₛ of a multi-task model, in the sense the gradient-level strategies and task affinity use:
/// the parameters that two or more tasks' losses (or outputs) reach in the autograd graph. Everything else belongs to
/// a single task.
/// </summary>
internal static class SharedParameters
{
    /// <summary>
    /// ∂rootₜ/∂parameters for each root (a task loss or output sum), one <see cref="Autograd.Grad"/> call per root with
    /// the graph retained until the last (and after it when <paramref name="retainLast"/>); null where a root does not
    /// reach a parameter.
    /// </summary>
    public static Tensor?[][] Gradients(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor> parameters, bool retainLast = false)
    {
        int k = roots.Count;
        var grads = new Tensor?[k][];
        for (int t = 0; t < k; t++)
            grads[t] = Autograd.Grad([roots[t]], parameters, retainGraph: retainLast || t < k - 1, allowUnused: true);
        return grads;
    }

    /// <summary>Per parameter: is it reached by two or more of the tasks whose gradients are given (null = not reached)?</summary>
    public static bool[] Mask(Tensor?[][] perTaskGradients, int parameterCount)
    {
        var shared = new bool[parameterCount];
        for (int i = 0; i < parameterCount; i++)
        {
            int users = 0;
            foreach (var g in perTaskGradients) if (g[i] is not null) users++;
            shared[i] = users >= 2;
        }
        return shared;
    }
}
