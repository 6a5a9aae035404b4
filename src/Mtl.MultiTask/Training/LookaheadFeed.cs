// The trainer's side of look-ahead strategies: validation batches cycled by step number, handed over before each step.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Tasks;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Training;

/// <summary>
/// Calls an <see cref="ILookaheadStrategy"/> before every training step with the next validation batch. Validation
/// batch i (0-based step number) is batch i mod n of validation pass ⌊i/n⌋ (n batches per pass), a pure function of the
/// step, so a resumed run sees the same batches. It reads through its own copies of the validation loaders, so the
/// trainer's evaluation (or a training loader that is also the validation loader) never meets an epoch in progress.
/// </summary>
internal sealed class LookaheadFeed : IDisposable
{
    private readonly ILookaheadStrategy _strategy;
    private readonly Cycler[] _cyclers;

    private LookaheadFeed(ILookaheadStrategy strategy, IEnumerable<DataLoader> loaders)
    {
        _strategy = strategy;
        _cyclers = loaders.Select(l => new Cycler(l)).ToArray();
    }

    /// <summary>A feed when <paramref name="strategy"/> looks ahead (null otherwise); refuses a missing validation source.</summary>
    public static LookaheadFeed? For(BalancingStrategy? strategy, TrainingSource? validation, IReadOnlyList<TaskSpec> tasks)
    {
        if (strategy is not ILookaheadStrategy lookahead) return null;
        if (validation is null)
            throw new ArgumentException($"strategy '{strategy.Name}' learns its task weights on validation data: pass a validation source to Fit");
        return new LookaheadFeed(lookahead, validation.Joint is { } joint ? [joint] : tasks.Select(t => validation.PerTask![t.Name]));
    }

    /// <summary>Hands the strategy the step about to run (<paramref name="stepsDone"/> steps were taken before it).</summary>
    public void BeforeStep(MultiTaskModel model, Optimizer optimizer, IReadOnlyList<MultiTaskBatch> batches, long stepsDone, int epoch)
    {
        var validation = new MultiTaskBatch[_cyclers.Length];
        for (int i = 0; i < validation.Length; i++) validation[i] = _cyclers[i].At(stepsDone);
        double lr = optimizer.ParamGroups.Count > 0 ? optimizer.ParamGroups[0].Lr : 0;
        _strategy.BeforeStep(new LookaheadContext(model, batches, validation, lr, stepsDone + 1, epoch));
    }

    public void Dispose()
    {
        foreach (var c in _cyclers) c.Dispose();
    }

    // One validation loader read round and round; an open pass is kept between steps and reopened only on a jump.
    private sealed class Cycler(DataLoader source) : IDisposable
    {
        private readonly DataLoader _loader = new(source.Dataset, source.Options);
        private IEnumerator<MultiTaskBatch>? _current;
        private long _pass = -1;
        private int _next;

        public MultiTaskBatch At(long index)
        {
            int n = _loader.BatchesPerEpoch;
            if (n == 0) throw new InvalidOperationException("look-ahead: the validation loader yields no batches");
            long pass = index / n;
            int position = (int)(index % n);
            if (_current is null || pass != _pass || position != _next)
            {
                _current?.Dispose();
                _current = _loader.Epoch(checked((int)pass)).GetEnumerator();
                _pass = pass;
                for (int i = 0; i < position; i++) _current.MoveNext();
                _next = position;
            }
            if (!_current.MoveNext()) throw new InvalidOperationException("look-ahead: the validation loader ended early");
            _next++;
            return _current.Current;
        }

        public void Dispose()
        {
            _current?.Dispose();
            _loader.Dispose();
        }
    }
}
