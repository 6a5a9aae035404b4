// Options of a DataLoader: batch size, seeded shuffling, drop-last, prefetch depth, worker threads, batch lifetime.
namespace Mtl.Data;

/// <summary>How a <see cref="DataLoader"/> batches a dataset. The batches' order and content depend only on the
/// dataset, <see cref="BatchSize"/>, <see cref="Shuffle"/>, <see cref="Seed"/>, <see cref="DropLast"/> and the epoch
/// number — never on <see cref="Prefetch"/>, <see cref="Workers"/> or <see cref="KeepBatches"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch (the last batch may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle each epoch with a generator derived from (<see cref="Seed"/>, epoch).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Seed of the per-epoch shuffles (see <see cref="DataLoader.EpochSeed"/>).</summary>
    public ulong Seed { get; init; }

    /// <summary>Drop the last batch when it has fewer than <see cref="BatchSize"/> samples.</summary>
    public bool DropLast { get; init; }

    /// <summary>Batches collated ahead of the consumer on background threads; 0 collates on the consumer's thread.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Background threads collating batches when <see cref="Prefetch"/> &gt; 0 (at most Prefetch are busy).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// How many of the most recently yielded batches stay valid. Batch tensors live in a ring of Prefetch + KeepBatches
    /// buffers allocated once; a yielded batch is overwritten once KeepBatches further batches have been taken (default
    /// 1: valid until the next MoveNext). Use <see cref="BatchCopy.CopyUnscoped"/> to keep one longer.
    /// </summary>
    public int KeepBatches { get; init; } = 1;

    internal void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "DataLoader: BatchSize must be positive");
        if (Prefetch < 0) throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "DataLoader: Prefetch must be 0 or more");
        if (Workers <= 0) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "DataLoader: Workers must be positive");
        if (KeepBatches <= 0) throw new ArgumentOutOfRangeException(nameof(KeepBatches), KeepBatches, "DataLoader: KeepBatches must be positive");
    }
}
