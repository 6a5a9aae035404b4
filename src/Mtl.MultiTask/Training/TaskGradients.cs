// Per-task gradients for gradient-level strategies: K backward passes through one retained graph into one K×P buffer.
using Mtl.MultiTask.Balancing;
using Mtl.NN;

namespace Mtl.MultiTask.Training;

/// <summary>
/// Computes the K×P task-gradient matrix of one step and writes the strategy's combined gradient back.
/// <para>Shared parameters: one <see cref="Autograd.Grad"/> call per task loss with the graph retained until the last;
/// the parameters two or more tasks reach on the first step are "shared" (their gradients form the matrix rows, in
/// parameter order); every other parameter belongs to one task and receives that task's plain gradient (weight 1, as
/// LibMTL). Representation: the rows are ∂Lₖ/∂z for the representation z (B·D values); the heads receive their task's
/// gradient, and the combined gradient is backpropagated from z through the encoder once.</para>
/// The matrix and the combined-gradient buffer are allocated once and reused.
/// </summary>
internal sealed class TaskGradients
{
    private readonly Tensor[] _parameters;
    private readonly GradientSpace _space;
    private bool[]? _shared;          // per parameter: is it part of the matrix (parameter space)
    private bool[]? _upstream;        // per parameter: does the representation depend on it (representation space)
    private int _sharedSize;
    private GradientMatrix? _matrix;
    private double[] _combined = [];

    public TaskGradients(IEnumerable<Tensor> parameters, GradientSpace space)
    {
        _parameters = parameters.Where(p => p.RequiresGrad).ToArray();
        _space = space;
    }

    /// <summary>The matrix of the last <see cref="Compute"/>.</summary>
    public GradientMatrix Matrix => _matrix ?? throw new InvalidOperationException("TaskGradients: Compute has not run");

    /// <summary>The buffer for the combined gradient (length P of the last <see cref="Compute"/>).</summary>
    public Span<double> Combined => _combined.AsSpan(0, Matrix.Size);

    /// <summary>Number of shared parameter values (parameter space), known after the first step.</summary>
    public int SharedSize => _sharedSize;

    /// <summary>
    /// Fills the matrix from the task losses (all K present, all from graphs of this step) and gives the non-shared
    /// parameters their task's gradient. The graphs are released afterwards except in representation space, where
    /// <see cref="Apply"/> backpropagates through the encoder.
    /// </summary>
    public void Compute(IReadOnlyList<Tensor> losses, Tensor? representation)
    {
        if (_space == GradientSpace.Representation) ComputeRepresentation(losses, representation!);
        else ComputeParameters(losses);
    }

    /// <summary>Adds the combined gradient to the shared parameters' .Grad (or backpropagates it from the representation).</summary>
    public void Apply(Tensor? representation)
    {
        var combined = Combined;
        if (_space == GradientSpace.Representation)
        {
            var z = representation!;
            var g = Tensor.Empty(z.ShapeArray, z.DType);   // (B, …) like z
            if (z.DType == DType.Float32)
            {
                var dst = g.Span<float>();
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)combined[i];
            }
            else combined.CopyTo(g.Span<double>());
            z.Backward(g);
            return;
        }
        int offset = 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (!_shared![i]) continue;
            var p = _parameters[i];
            var grad = GradBuffer(p);
            var slice = combined.Slice(offset, p.Numel);
            if (p.DType == DType.Float32)
            {
                var dst = grad.Span<float>();
                for (int j = 0; j < dst.Length; j++) dst[j] += (float)slice[j];
            }
            else
            {
                var dst = grad.Span<double>();
                for (int j = 0; j < dst.Length; j++) dst[j] += slice[j];
            }
            grad.BumpVersion();
            offset += p.Numel;
        }
    }

    private void ComputeParameters(IReadOnlyList<Tensor> losses)
    {
        int k = losses.Count;
        var grads = SharedParameters.Gradients(losses, _parameters);
        if (_shared is null)
        {
            _shared = SharedParameters.Mask(grads, _parameters.Length);
            for (int i = 0; i < _parameters.Length; i++)
                if (_shared[i]) _sharedSize += _parameters[i].Numel;
            if (_sharedSize == 0)
                throw new InvalidOperationException("gradient-level balancing: no parameter is shared by two or more tasks, so there is nothing to balance");
        }
        EnsureMatrix(k, _sharedSize);
        for (int t = 0; t < k; t++)
        {
            var row = _matrix!.Row(t);
            int offset = 0;
            for (int i = 0; i < _parameters.Length; i++)
            {
                var g = grads[t][i];
                if (_shared[i])
                {
                    var slice = row.Slice(offset, _parameters[i].Numel);
                    if (g is null) slice.Clear();
                    else CopyTo(g, slice);
                    offset += _parameters[i].Numel;
                }
                else if (g is not null) Autograd.AccumulateGrad(_parameters[i], g);
            }
        }
    }

    private void ComputeRepresentation(IReadOnlyList<Tensor> losses, Tensor z)
    {
        int k = losses.Count;
        if (_upstream is null)
        {
            // Which parameters the representation depends on: they get the combined gradient through z.
            var probe = Autograd.Grad([z], _parameters, [Tensor.OnesLike(z)], retainGraph: true, allowUnused: true);
            _upstream = probe.Select(g => g is not null).ToArray();
        }
        var requested = new List<Tensor>(_parameters.Length + 1) { z };
        var heads = new List<Tensor>();
        for (int i = 0; i < _parameters.Length; i++)
            if (!_upstream[i]) heads.Add(_parameters[i]);
        requested.AddRange(heads);
        EnsureMatrix(k, z.Numel);
        for (int t = 0; t < k; t++)
        {
            var g = Autograd.Grad([losses[t]], requested, retainGraph: true, allowUnused: true);
            if (g[0] is null) Matrix.Row(t).Clear();
            else CopyTo(g[0]!, Matrix.Row(t));
            for (int i = 0; i < heads.Count; i++)
                if (g[i + 1] is { } gh) Autograd.AccumulateGrad(heads[i], gh);
        }
    }

    private void EnsureMatrix(int tasks, int size)
    {
        if (_matrix is null || _matrix.Tasks != tasks) _matrix = new GradientMatrix(tasks, size);
        else _matrix.Resize(size);
        if (_combined.Length < size) _combined = new double[size];
    }

    private static void CopyTo(Tensor g, Span<double> into)
    {
        var c = g.IsContiguous ? g : g.Contiguous();
        if (c.DType == DType.Float32)
        {
            var src = c.Span<float>();
            for (int i = 0; i < src.Length; i++) into[i] = src[i];
        }
        else c.Span<double>().CopyTo(into);
    }

    private static Tensor GradBuffer(Tensor p)
    {
        if (p.Grad is { } g && !g.Storage.IsReleased && g.GradFn is null && g.IsContiguous) return g;
        var fresh = Tensor.EmptyUnscoped(p.ShapeArray, p.DType);
        fresh.Zero();
        p.Grad = fresh;
        return fresh;
    }
}
