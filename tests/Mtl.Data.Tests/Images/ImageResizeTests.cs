// Tests of image resampling: weight sums, area averages, bilinear and nearest against hand-computed values.
namespace Mtl.Data.Tests;

public class ImageResizeTests
{
    [Theory]
    [InlineData(36, 28)]
    [InlineData(28, 36)]
    [InlineData(7, 3)]
    [InlineData(5, 5)]
    [InlineData(1, 4)]
    public void WeightsSumToOne(int inSize, int outSize)
    {
        foreach (var mode in new[] { ResizeMode.Area, ResizeMode.Bilinear, ResizeMode.Nearest })
            foreach (var row in ImageResize.Weights(inSize, outSize, mode))
            {
                Assert.Equal(1.0, row.Sum(p => p.Weight), 5);
                Assert.All(row, p => Assert.InRange(p.Index, 0, inSize - 1));
            }
    }

    [Fact]
    public void AreaDownscaleByTwoIsTheBlockMean()
    {
        var src = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();   // 4×4
        var dst = new float[4];
        ImageResize.Resize(src, 4, 4, dst, 2, 2, ResizeMode.Area);
        Assert.Equal([(0 + 1 + 4 + 5) / 4f, (2 + 3 + 6 + 7) / 4f, (8 + 9 + 12 + 13) / 4f, (10 + 11 + 14 + 15) / 4f], dst);
    }

    [Fact]
    public void Area36To28WeighsPartialPixelsByOverlap()
    {
        // Output pixel 0 covers source [0, 9/7): pixel 0 fully, pixel 1 for 2/7.
        var w = ImageResize.Weights(36, 28, ResizeMode.Area);
        Assert.Equal(2, w[0].Length);
        Assert.Equal(7 / 9.0, w[0][0].Weight, 6);
        Assert.Equal(2 / 9.0, w[0][1].Weight, 6);
        var ones = Enumerable.Repeat(0.6f, 36 * 36).ToArray();
        var dst = new float[784];
        ImageResize.Resize(ones, 36, 36, dst, 28, 28, ResizeMode.Area);
        Assert.All(dst, v => Assert.Equal(0.6f, v, 5));
    }

    [Fact]
    public void BilinearAndNearestMatchHandComputedValues()
    {
        float[] src = [0, 10, 20, 30]; // 1×4
        var up = new float[8];
        ImageResize.Resize(src, 1, 4, up, 1, 8, ResizeMode.Bilinear);
        // Output centres map to (o + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, …, 3.25 (clamped to [0, 3]).
        Assert.Equal([0f, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30f], up);
        var down = new float[2];
        ImageResize.Resize(src, 1, 4, down, 1, 2, ResizeMode.Nearest);
        Assert.Equal([10f, 30f], down); // centres ⌊(0.5)·2⌋ = 1 and ⌊1.5·2⌋ = 3
        var same = new float[4];
        foreach (var mode in new[] { ResizeMode.Area, ResizeMode.Bilinear, ResizeMode.Nearest })
        {
            ImageResize.Resize(src, 2, 2, same, 2, 2, mode);
            Assert.Equal(src, same);
        }
        Assert.Throws<ArgumentException>(() => ImageResize.Resize(src, 2, 2, new float[3], 2, 2, ResizeMode.Area));
        Assert.Throws<ArgumentException>(() => new ImageResize(0, 2, 2, 2, ResizeMode.Area));
    }
}
