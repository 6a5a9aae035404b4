// Pads or truncates token-id sequences to a fixed length and records each sequence's kept length.
namespace Mtl.Data;

/// <summary>Which part of a too-long sequence is kept.</summary>
public enum TruncationSide
{
    /// <summary>Keep the first tokens (drop the end). The default.</summary>
    KeepStart,
    /// <summary>Keep the last tokens (drop the beginning).</summary>
    KeepEnd,
}

/// <summary>Fixed-length encoding of variable-length id sequences, padded with <see cref="Vocabulary.PadId"/> at the end.</summary>
public static class SequencePadding
{
    /// <summary>
    /// Writes <paramref name="ids"/> into <paramref name="destination"/> (its length is the max length), truncating per
    /// <paramref name="side"/> and padding the rest with <see cref="Vocabulary.PadId"/>; returns the kept length.
    /// </summary>
    public static int PadOrTruncate(ReadOnlySpan<int> ids, Span<int> destination, TruncationSide side = TruncationSide.KeepStart)
    {
        int length = Math.Min(ids.Length, destination.Length);
        var kept = side == TruncationSide.KeepStart ? ids[..length] : ids[(ids.Length - length)..];
        kept.CopyTo(destination);
        destination[length..].Fill(Vocabulary.PadId);
        return length;
    }

    /// <summary>
    /// Encodes every sequence to <paramref name="maxLength"/>: Ids is (N, maxLength) row-major, Lengths (N) the kept lengths.
    /// </summary>
    public static (int[] Ids, int[] Lengths) PadBatch(IReadOnlyList<int[]> sequences, int maxLength, TruncationSide side = TruncationSide.KeepStart)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), $"sequence padding: maxLength must be >= 1, got {maxLength}");
        var ids = new int[(long)sequences.Count * maxLength];
        var lengths = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
            lengths[i] = PadOrTruncate(sequences[i], ids.AsSpan(i * maxLength, maxLength), side);
        return (ids, lengths);
    }
}
