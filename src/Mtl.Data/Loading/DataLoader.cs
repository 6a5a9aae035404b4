// The data loader: seeded per-epoch order, batching, drop-last, collation into reused tensors, background prefetch.
namespace Mtl.Data;

/// <summary>
/// Batches an <see cref="IMultiTaskDataset"/> into <see cref="MultiTaskBatch"/>es, one epoch at a time.
/// <list type="bullet">
/// <item>Order: epoch e visits the samples in order, or (with <see cref="DataLoaderOptions.Shuffle"/>) in a Fisher–Yates
/// permutation drawn from <c>new Generator(EpochSeed(Seed, e))</c>; batch k holds positions [k·B, (k+1)·B) of it. The
/// batches' order and content depend only on the dataset, the options' BatchSize/Shuffle/Seed/DropLast and e — not on
/// prefetch depth, worker count or timing.</item>
/// <item>Collation: Input Float32 (B, ...shape) or Int32 token ids (B, L) padded with 0 past each length (Lengths
/// Int32 (B)); per task, Int32 (B) class indices (absent labels hold <see cref="LabelColumn.IgnoreIndex"/> = -100, which
/// cross-entropy ignores by default), Float32 (B, W) vectors (absent: zeros) or Int32 (B, L) per-position classes, and a
/// Float32 (B) mask, 1 where the label exists.</item>
/// <item>Prefetch: with Prefetch = P &gt; 0, <see cref="DataLoaderOptions.Workers"/> background threads collate up to P
/// batches ahead of the consumer (a bounded window); with P = 0 batches are collated on the consumer's thread.</item>
/// <item>Memory: batch tensors come from a ring of P + KeepBatches buffer sets made once per loader with
/// <see cref="Tensor.EmptyUnscoped"/>, so steady iteration allocates nothing. A yielded batch stays valid until
/// <see cref="DataLoaderOptions.KeepBatches"/> further batches have been taken (default: until the next one); keep one
/// longer with <see cref="BatchCopy.CopyUnscoped"/>. The tensors' version counters are bumped on reuse, so a graph that
/// saved an overwritten batch refuses to run backward.</item>
/// <item>Errors: an exception thrown while collating (e.g. by the dataset) is rethrown to the consumer, with its original
/// type, message and stack, when the consumer reaches the batch that failed; earlier batches are still delivered.
/// Cancelling the token or disposing the enumerator (leaving a foreach) stops and joins the worker threads.</item>
/// </list>
/// One epoch may be iterated at a time per loader (the buffers are shared).
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly object _gate = new();
    private BatchSlot[]? _slots;
    private int[]? _order;
    private EpochRun? _active;
    private bool _disposed;

    /// <summary>Creates a loader over <paramref name="dataset"/>; options default to <see cref="DataLoaderOptions"/>'s.</summary>
    public DataLoader(IMultiTaskDataset dataset, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Options = options ?? new DataLoaderOptions();
        Options.Validate();
        Dataset = dataset;
        int n = dataset.Count, b = Options.BatchSize;
        BatchesPerEpoch = Options.DropLast ? n / b : (n + b - 1) / b;
    }

    /// <summary>The dataset batched.</summary>
    public IMultiTaskDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Batches per epoch: ⌈N / B⌉, or ⌊N / B⌋ with drop-last.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Samples per epoch (N, less the dropped tail).</summary>
    public int SamplesPerEpoch => Options.DropLast ? BatchesPerEpoch * Options.BatchSize : Dataset.Count;

    /// <summary>The seed of epoch <paramref name="epoch"/>'s shuffle generator: a SplitMix64 hash of (seed, epoch).</summary>
    public static ulong EpochSeed(ulong seed, int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "DataLoader: epoch must be 0 or more");
        return Mix(Mix(seed) ^ Mix(0xD1B54A32D192ED03UL + (ulong)epoch));
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the samples (a new array).</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = new int[Dataset.Count];
        FillOrder(order, epoch);
        return order;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>. Iterate with foreach (which disposes the enumerator); see the class
    /// remarks for how long each yielded batch stays valid.
    /// </summary>
    public IEnumerable<MultiTaskBatch> Epoch(int epoch, CancellationToken cancellation = default)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "DataLoader: epoch must be 0 or more");
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new EpochEnumerable(this, epoch, cancellation);
    }

    /// <summary>Stops an epoch in progress (joining its workers); the loader cannot be used afterwards.</summary>
    public void Dispose()
    {
        EpochRun? run;
        lock (_gate)
        {
            _disposed = true;
            run = _active;
        }
        run?.Stop();
    }

    internal EpochRun Begin(int epoch, CancellationToken cancellation)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null)
                throw new InvalidOperationException($"DataLoader: epoch {_active.EpochNumber} is still being iterated; finish or dispose it before starting epoch {epoch}");
            int slots = Options.Prefetch + Options.KeepBatches;
            _slots ??= Enumerable.Range(0, slots).Select(_ => new BatchSlot(Dataset, Options.BatchSize)).ToArray();
            _order ??= new int[Dataset.Count];
            FillOrder(_order, epoch);
            _active = new EpochRun(this, epoch, _slots, _order, cancellation);
            return _active;
        }
    }

    internal void End(EpochRun run)
    {
        lock (_gate) if (ReferenceEquals(_active, run)) _active = null;
    }

    private void FillOrder(int[] order, int epoch)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Options.Shuffle) new Generator(EpochSeed(Options.Seed, epoch)).Shuffle(order.AsSpan());
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class EpochEnumerable(DataLoader loader, int epoch, CancellationToken cancellation) : IEnumerable<MultiTaskBatch>
    {
        public IEnumerator<MultiTaskBatch> GetEnumerator() => loader.Begin(epoch, cancellation);
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
