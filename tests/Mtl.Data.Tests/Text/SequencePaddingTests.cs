// Tests of padding/truncation to a max length and of the lengths it reports.
namespace Mtl.Data.Tests;

public class SequencePaddingTests
{
    [Fact]
    public void ShortSequencesArePaddedWithZero()
    {
        var dest = new int[5];
        dest.AsSpan().Fill(-1);
        Assert.Equal(3, SequencePadding.PadOrTruncate([7, 8, 9], dest));
        Assert.Equal([7, 8, 9, 0, 0], dest);
    }

    [Fact]
    public void LongSequencesKeepTheStartByDefaultOrTheEnd()
    {
        int[] ids = [1, 2, 3, 4, 5, 6];
        var dest = new int[4];
        Assert.Equal(4, SequencePadding.PadOrTruncate(ids, dest));
        Assert.Equal([1, 2, 3, 4], dest);
        Assert.Equal(4, SequencePadding.PadOrTruncate(ids, dest, TruncationSide.KeepEnd));
        Assert.Equal([3, 4, 5, 6], dest);
    }

    [Fact]
    public void BatchGivesRowMajorIdsAndLengths()
    {
        var (ids, lengths) = SequencePadding.PadBatch([[5], [1, 2, 3], [], [9, 8, 7, 6]], 3);
        Assert.Equal([5, 0, 0, 1, 2, 3, 0, 0, 0, 9, 8, 7], ids);
        Assert.Equal([1, 3, 0, 3], lengths);
        var (idsEnd, _) = SequencePadding.PadBatch([[9, 8, 7, 6]], 3, TruncationSide.KeepEnd);
        Assert.Equal([8, 7, 6], idsEnd);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequencePadding.PadBatch([[1]], 0));
    }
}
