// Tests of the MultiMNIST / MultiFashion builders: the Sener–Koltun and Lin et al. geometry, labels, determinism.
namespace Mtl.Data.Tests;

public class MultiDigitBuilderTests
{
    /// <summary>A 28×28 item holding <paramref name="v"/> on rows [r0, r0+h) × cols [c0, c0+w), 0 elsewhere.</summary>
    private static float[] Square(int r0, int c0, int h, int w, float v)
    {
        var img = new float[784];
        for (int r = r0; r < r0 + h; r++) for (int c = c0; c < c0 + w; c++) img[r * 28 + c] = v;
        return img;
    }

    [Fact]
    public void SenerKoltunCanvasPlacesItemsAtZeroAndSixWithMax()
    {
        var a = Square(0, 0, 28, 28, 0.25f);   // fills rows/cols 0..27 of the canvas
        var b = Square(0, 0, 28, 28, 0.75f);   // fills rows/cols 6..33
        b[0] = 0.1f;                            // its own top-left pixel lands at canvas (6, 6), under a's 0.25
        var canvas = new float[36 * 36];
        MultiDigitBuilder.Compose(a, (0, 0), b, (6, 6), canvas);
        for (int r = 0; r < 36; r++)
            for (int c = 0; c < 36; c++)
            {
                bool inA = r < 28 && c < 28, inB = r >= 6 && r < 34 && c >= 6 && c < 34;
                float expected = (inA, inB) switch
                {
                    (true, true) => (r == 6 && c == 6) ? 0.25f : 0.75f,
                    (true, false) => 0.25f,
                    (false, true) => 0.75f,
                    _ => 0f,
                };
                Assert.Equal(expected, canvas[r * 36 + c]);
            }
    }

    [Fact]
    public void ComposeCropsItemsPushedOffTheCanvas()
    {
        var a = Square(0, 0, 28, 28, 1f);
        var canvas = new float[36 * 36];
        MultiDigitBuilder.Compose(a, (-4, -3), new float[784], (12, 12), canvas);
        Assert.Equal(24 * 25, canvas.Count(v => v == 1f)); // rows 0..23, cols 0..24 remain
        Assert.Equal(1f, canvas[23 * 36 + 24]);
        Assert.Equal(0f, canvas[24 * 36 + 24]);
    }

    [Fact]
    public void SenerKoltunBuildResizesTheKnownCanvas()
    {
        // Two items with distinct known content; the built image must equal Resize(canvas) for the drawn partner.
        var items = new[] { Square(2, 3, 10, 5, 1f), Square(20, 20, 8, 8, 0.5f), Square(0, 0, 28, 28, 0.2f) };
        var ds = new InMemoryDataset([1, 28, 28], items.SelectMany(x => x).ToArray(), LabelColumn.Classes("digit", 10, [4, 7, 9]));
        foreach (var mode in new[] { ResizeMode.Area, ResizeMode.Bilinear, ResizeMode.Nearest })
        {
            var opts = new MultiDigitOptions { Seed = 5, Resize = mode };
            var multi = MultiDigitBuilder.MultiMnist(ds, opts);
            Assert.Equal(3, multi.Count);
            Assert.Equal([1, 28, 28], multi.Input.Shape);
            var draws = MultiDigitBuilder.Draw(3, [4, 7, 9], [4, 7, 9], sameSource: true, opts);
            var resize = new ImageResize(36, 36, 28, 28, mode);
            for (int i = 0; i < 3; i++)
            {
                int j = draws.Partner[i];
                Assert.NotEqual(i, j);
                var canvas = new float[36 * 36];
                MultiDigitBuilder.Compose(items[i], (0, 0), items[j], (6, 6), canvas);
                var expected = new float[784];
                resize.Apply(canvas, expected);
                var got = new float[784];
                multi.ReadInput(i, got);
                Assert.Equal(expected, got);
                Assert.Equal(new[] { 4, 7, 9 }[i], multi.ClassLabels("top_left")[i]);
                Assert.Equal(new[] { 4, 7, 9 }[j], multi.ClassLabels("bottom_right")[i]);
            }
        }
    }

    [Fact]
    public void SameSeedSameImagesDifferentSeedDifferent()
    {
        var fashion = Samples.FashionTrain().Take(Enumerable.Range(0, 400).ToArray());
        foreach (var recipe in new[] { MultiDigitRecipe.SenerKoltun2018, MultiDigitRecipe.LinParetoMtl2019 })
        {
            var a = MultiDigitBuilder.MultiFashion(fashion, new MultiDigitOptions { Recipe = recipe, Seed = 1 });
            var b = MultiDigitBuilder.MultiFashion(fashion, new MultiDigitOptions { Recipe = recipe, Seed = 1 });
            var c = MultiDigitBuilder.MultiFashion(fashion, new MultiDigitOptions { Recipe = recipe, Seed = 2 });
            Assert.True(a.Inputs.Span.SequenceEqual(b.Inputs.Span));
            Assert.Equal(a.ClassLabels("bottom_right"), b.ClassLabels("bottom_right"));
            Assert.False(a.Inputs.Span.SequenceEqual(c.Inputs.Span));
            Assert.Equal(fashion.ClassLabels("item"), a.ClassLabels("top_left"));   // task 1 = the base item's class
            Assert.Equal(FashionMnist.ClassNames, a.Tasks[1].ClassNames);
        }
    }

    [Fact]
    public void LinRecipeKeeps36PixelsShiftsWithinFourAndPairsDifferentLabels()
    {
        var ds = ImageTestData.RandomImages(60, seed: 3, task: "digit");
        var opts = new MultiDigitOptions { Recipe = MultiDigitRecipe.LinParetoMtl2019, Seed = 9 };
        var multi = MultiDigitBuilder.MultiMnist(ds, opts);
        Assert.Equal([1, 36, 36], multi.Input.Shape);
        var left = multi.ClassLabels("top_left");
        var right = multi.ClassLabels("bottom_right");
        Assert.All(Enumerable.Range(0, 60), i => Assert.NotEqual(left[i], right[i]));
        var labels = ds.ClassLabels("digit");
        var draws = MultiDigitBuilder.Draw(60, labels, labels, true, opts);
        Assert.All(draws.Shifts, s => Assert.InRange(s, -4, 4));
        Assert.Contains(-4, draws.Shifts);
        Assert.Contains(4, draws.Shifts);
        var x = ds.AllInputs();
        for (int i = 0; i < 5; i++)
        {
            var s = draws.Shifts.AsSpan(4 * i, 4);
            var canvas = new float[36 * 36];
            MultiDigitBuilder.Compose(x.AsSpan(i * 784, 784), (s[0], s[1]), x.AsSpan(draws.Partner[i] * 784, 784), (8 + s[2], 8 + s[3]), canvas);
            var got = new float[36 * 36];
            multi.ReadInput(i, got);
            Assert.Equal(canvas, got);
        }
    }

    [Fact]
    public void FashionPlusMnistUsesBothSources()
    {
        var mnist = Samples.MnistDigits().Take(Enumerable.Range(0, 100).ToArray());
        var fashion = Samples.FashionTrain().Take(Enumerable.Range(0, 50).ToArray());
        var multi = MultiDigitBuilder.MultiFashionMnist(mnist, fashion, new MultiDigitOptions { Seed = 4, TopLeftTask = "digit", BottomRightTask = "item", Count = 80 });
        Assert.Equal(80, multi.Count);
        Assert.Equal(["digit", "item"], multi.Tasks.Select(t => t.Name));
        Assert.Equal(MnistJson.DigitNames, multi.Tasks[0].ClassNames);
        Assert.Equal(FashionMnist.ClassNames, multi.Tasks[1].ClassNames);
        Assert.Equal(mnist.ClassLabels("digit")[..80], multi.ClassLabels("digit"));
    }

    [Fact]
    public void RejectsBadSourcesAndOptions()
    {
        var flat = new InMemoryDataset([784], new float[784 * 2], LabelColumn.Classes("item", 10, [0, 1]));
        var e = Assert.Throws<ArgumentException>(() => MultiDigitBuilder.MultiFashion(flat));
        Assert.Contains("(1, 28, 28)", e.Message);
        Assert.Contains("(784)", e.Message);
        var ds = ImageTestData.RandomImages(4, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiDigitBuilder.MultiFashion(ds, new MultiDigitOptions { Count = 5 }));
        Assert.Throws<ArgumentException>(() => MultiDigitBuilder.MultiFashion(ds, new MultiDigitOptions { TopLeftTask = "a", BottomRightTask = "a" }));
        Assert.Throws<KeyNotFoundException>(() => MultiDigitBuilder.MultiMnist(ds));
        var oneClass = new InMemoryDataset([1, 28, 28], new float[784 * 2], LabelColumn.Classes("item", 10, [3, 3]));
        Assert.Throws<InvalidOperationException>(() => MultiDigitBuilder.MultiFashion(oneClass, new MultiDigitOptions { Recipe = MultiDigitRecipe.LinParetoMtl2019 }));
    }
}
