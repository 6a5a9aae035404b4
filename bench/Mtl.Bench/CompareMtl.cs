// The Mtl side of one `compare` model: the batches as kept tensors, one training step as a user's loop writes it, and evaluation.
using System.Diagnostics;
using Mtl.MultiTask.Architectures;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Storage;

namespace Mtl.Bench;

/// <summary>
/// Trains a model on batches taken in order from the training split (batch i = samples [i·B, (i+1)·B), wrapping
/// around), exactly as compare_common.py does: forward, the sum of the task losses (each task's default loss: mean
/// cross-entropy or mean MSE), zero_grad, backward, optimiser step, read the loss back. Each step runs in a TensorScope.
/// </summary>
internal sealed class CompareMtl
{
    private readonly MultiTaskModel _model;
    private readonly Optimizer _opt;
    private readonly Tensor[] _inputs;
    private readonly Tensor[][] _targets;     // [batch][task]
    private readonly Tensor _evalInput;
    private readonly Tensor[] _evalTargets;
    private long _step;

    public CompareMtl(CompareCase c, CompareData data, ulong seed)
    {
        (_model, _opt) = c.Build(seed);
        int batches = data.Train.Count / c.Batch, tasks = data.Tasks.Length;
        if (batches == 0) throw new ArgumentException($"compare {c.Name}: {data.Train.Count} training samples do not fill one batch of {c.Batch}");
        _inputs = new Tensor[batches];
        _targets = new Tensor[batches][];
        for (int b = 0; b < batches; b++)
        {
            _inputs[b] = data.Train.Inputs(b * c.Batch, c.Batch, data.SampleShape);
            _targets[b] = Enumerable.Range(0, tasks).Select(t => data.Train.Targets(b * c.Batch, c.Batch, t, tasks)).ToArray();
        }
        _evalInput = data.Eval.Inputs(0, data.Eval.Count, data.SampleShape);
        _evalTargets = Enumerable.Range(0, tasks).Select(t => data.Eval.Targets(0, data.Eval.Count, t, tasks)).ToArray();
    }

    /// <summary>Number of parameters (elements).</summary>
    public long Parameters => _model.ParameterCount();

    /// <summary>Runs <paramref name="steps"/> training steps; seconds taken and the mean loss.</summary>
    public (double Seconds, double Loss) Train(int steps)
    {
        _model.Train();
        double total = 0;
        long t0 = Stopwatch.GetTimestamp();
        for (int s = 0; s < steps; s++) total += Step();
        return (Stopwatch.GetElapsedTime(t0).TotalSeconds, total / Math.Max(1, steps));
    }

    private double Step()
    {
        int b = (int)(_step++ % _inputs.Length);
        using var scope = TensorScope.Begin();
        var outputs = _model.Forward(_inputs[b]);
        Tensor? loss = null;
        var tasks = _model.Tasks;
        for (int t = 0; t < tasks.Count; t++)
        {
            var l = tasks[t].ResolveLoss().Compute(outputs[tasks[t].Name], _targets[b][t]);
            loss = loss is null ? l : loss.Add(l);
        }
        _opt.ZeroGrad();
        loss!.Backward();
        _opt.Step();
        return loss.Item();
    }

    /// <summary>Loss (sum of tasks) and per-task accuracy (classification only, else null) on the evaluation split.</summary>
    public (double Loss, double[]? Accuracy) Evaluate()
    {
        _model.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var outputs = _model.Forward(_evalInput);
        var tasks = _model.Tasks;
        double loss = 0;
        double[]? acc = _evalTargets[0].DType == DType.Int32 ? new double[tasks.Count] : null;
        for (int t = 0; t < tasks.Count; t++)
        {
            var o = outputs[tasks[t].Name];
            loss += tasks[t].ResolveLoss().Compute(o, _evalTargets[t]).Item();
            if (acc is null) continue;
            var logits = o.ToArray<float>();
            var y = _evalTargets[t].ToArray<int>();
            int k = o.Shape[1], right = 0;
            for (int i = 0; i < y.Length; i++)
            {
                int best = 0;
                for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
                if (best == y[i]) right++;
            }
            acc[t] = (double)right / y.Length;
        }
        _model.Train();
        return (loss, acc);
    }
}
