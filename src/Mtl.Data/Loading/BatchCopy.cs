// Copies a loader batch into fresh tensors that outlive the loader's buffer ring.
namespace Mtl.Data;

/// <summary>Keeping a batch beyond the lifetime the loader guarantees.</summary>
public static class BatchCopy
{
    /// <summary>
    /// A deep copy of <paramref name="batch"/> in tensors no <see cref="Mtl.Storage.TensorScope"/> owns (garbage-collected
    /// like ordinary arrays), so it stays valid after the loader reuses its buffers.
    /// </summary>
    public static MultiTaskBatch CopyUnscoped(this MultiTaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new MultiTaskBatch(
            Copy(batch.Input),
            batch.Targets.ToDictionary(kv => kv.Key, kv => Copy(kv.Value), StringComparer.Ordinal),
            batch.Masks.ToDictionary(kv => kv.Key, kv => Copy(kv.Value), StringComparer.Ordinal),
            batch.Lengths is null ? null : Copy(batch.Lengths),
            batch.Indices.ToArray()) { Dataset = batch.Dataset };
    }

    private static Tensor Copy(Tensor t)
    {
        var r = Tensor.EmptyUnscoped(t.Shape, t.DType);
        t.CopyDataTo(r);
        return r;
    }
}
