// One epoch's iteration: worker threads collating into a bounded window of ring slots, consumed strictly in order.
using System.Runtime.ExceptionServices;

namespace Mtl.Data;

/// <summary>
/// The enumerator of one epoch. Batch k is always written into slot k mod S (S = Prefetch + KeepBatches). Workers claim
/// batch numbers in ascending order and may claim k only while k &lt; taken + Prefetch, where taken counts the batches
/// the consumer has received; that keeps the KeepBatches most recent batches untouched and bounds the work queued ahead.
/// The consumer waits for exactly batch k, so the sequence is the same whatever the thread timing.
/// </summary>
internal sealed class EpochRun : IEnumerator<MultiTaskBatch>
{
    private readonly DataLoader _loader;
    private readonly BatchSlot[] _slots;
    private readonly int[] _order;
    private readonly CancellationToken _cancellation;
    private readonly int _batches, _batchSize, _count, _prefetch;
    private readonly object _gate = new();
    private readonly int[] _ready;        // batch number last completed in each slot
    private Thread[]? _workers;
    private CancellationTokenRegistration _registration;
    private int _taken;                   // batches handed to the consumer
    private int _nextClaim;               // next batch number a worker may take
    private int _failedAt = int.MaxValue; // lowest batch whose collation threw
    private ExceptionDispatchInfo? _error;
    private bool _stopping, _finished;
    private MultiTaskBatch? _current;

    public EpochRun(DataLoader loader, int epoch, BatchSlot[] slots, int[] order, CancellationToken cancellation)
    {
        _loader = loader;
        EpochNumber = epoch;
        _slots = slots;
        _order = order;
        _cancellation = cancellation;
        _batches = loader.BatchesPerEpoch;
        _batchSize = loader.Options.BatchSize;
        _count = order.Length;
        _prefetch = loader.Options.Prefetch;
        _ready = new int[slots.Length];
        Array.Fill(_ready, -1);
    }

    public int EpochNumber { get; }

    public MultiTaskBatch Current => _current ?? throw new InvalidOperationException("DataLoader: MoveNext has not returned a batch");

    object System.Collections.IEnumerator.Current => Current;

    public bool MoveNext()
    {
        if (_finished) return false;
        _cancellation.ThrowIfCancellationRequested();
        int k = _taken;
        if (k >= _batches)
        {
            Finish();
            return false;
        }
        if (_prefetch == 0)
        {
            _current = Collate(k);
            _taken = k + 1;
            return true;
        }
        if (_workers is null) StartWorkers();
        ExceptionDispatchInfo? error = null;
        bool got = false, stopped = false;
        lock (_gate)
        {
            int slot = k % _slots.Length;
            while (true)
            {
                if (_ready[slot] == k)
                {
                    _taken = k + 1;
                    got = true;
                    Monitor.PulseAll(_gate); // the window moved: workers may claim batch k + Prefetch
                    break;
                }
                if (k >= _failedAt) { error = _error; break; }
                if (_stopping) { stopped = true; break; }
                if (_cancellation.IsCancellationRequested) break;
                Monitor.Wait(_gate);
            }
        }
        if (!got)
        {
            Finish();
            error?.Throw();
            if (stopped) throw new ObjectDisposedException(nameof(DataLoader), "DataLoader: the loader was disposed during the epoch");
            _cancellation.ThrowIfCancellationRequested();
        }
        _current = _slots[k % _slots.Length].Current;
        return true;
    }

    private MultiTaskBatch Collate(int k)
    {
        int start = k * _batchSize, size = Math.Min(_batchSize, _count - start);
        return _slots[k % _slots.Length].Fill(_order, start, size);
    }

    private void StartWorkers()
    {
        int n = Math.Min(_loader.Options.Workers, _prefetch);
        if (_cancellation.CanBeCanceled)
            _registration = _cancellation.Register(() => { lock (_gate) Monitor.PulseAll(_gate); });
        _workers = new Thread[n];
        for (int w = 0; w < n; w++)
        {
            _workers[w] = new Thread(WorkerLoop) { IsBackground = true, Name = $"Mtl.DataLoader worker {w} (epoch {EpochNumber})" };
            _workers[w].Start();
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            int k;
            lock (_gate)
            {
                while (!_stopping && _nextClaim < _batches && _nextClaim < _failedAt && _nextClaim >= _taken + _prefetch)
                    Monitor.Wait(_gate);
                if (_stopping || _nextClaim >= _batches || _nextClaim >= _failedAt) return;
                k = _nextClaim++;
            }
            try
            {
                Collate(k);
                lock (_gate)
                {
                    _ready[k % _slots.Length] = k;
                    Monitor.PulseAll(_gate);
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    if (k < _failedAt)
                    {
                        _failedAt = k;
                        _error = ExceptionDispatchInfo.Capture(ex);
                    }
                    Monitor.PulseAll(_gate);
                }
                return;
            }
        }
    }

    /// <summary>Stops the workers and waits for them (called from Dispose, the end of the epoch, or DataLoader.Dispose).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        var workers = _workers;
        if (workers is not null)
            foreach (var t in workers)
                if (t != Thread.CurrentThread) t.Join();
    }

    private void Finish()
    {
        if (_finished) return;
        _finished = true;
        Stop();
        _registration.Dispose();
        _loader.End(this);
    }

    public void Reset() => throw new NotSupportedException("DataLoader: start a new epoch with Epoch(e) instead of Reset");

    public void Dispose()
    {
        _current = null;
        Finish();
    }
}
