// MultiMNIST / MultiFashion / MultiFashion+MNIST: two overlapping 28×28 items per image, one task per item position.
using Mtl.Threading;

namespace Mtl.Data;

/// <summary>Which published recipe <see cref="MultiDigitBuilder"/> follows.</summary>
public enum MultiDigitRecipe
{
    /// <summary>
    /// Sener &amp; Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018: for every base image one
    /// random partner (any other image), a 36 × 36 zero canvas, the base item at rows/cols 0..27 and the partner at
    /// 6..33, overlap by pixel-wise max, then resized to 28 × 28.
    /// </summary>
    SenerKoltun2018,
    /// <summary>
    /// Lin et al., "Pareto Multi-Task Learning", NeurIPS 2019: partners with a different label, each item shifted by up
    /// to ±<see cref="MultiDigitOptions.MaxShift"/> px in each direction, images kept at 36 × 36.
    /// </summary>
    LinParetoMtl2019,
}

/// <summary>Options of <see cref="MultiDigitBuilder"/>.</summary>
public sealed record MultiDigitOptions
{
    /// <summary>The recipe (default Sener &amp; Koltun 2018).</summary>
    public MultiDigitRecipe Recipe { get; init; } = MultiDigitRecipe.SenerKoltun2018;

    /// <summary>Seed of every random choice (partners, shifts).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Resampling of the 36 × 36 canvas to 28 × 28 (Sener–Koltun only). Default <see cref="ResizeMode.Area"/>; the
    /// authors' script used scipy's <c>imresize(…, interp='nearest')</c>, available as <see cref="ResizeMode.Nearest"/>.
    /// </summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Area;

    /// <summary>Largest shift in pixels, each direction, per item (Lin et al. only; default 4).</summary>
    public int MaxShift { get; init; } = 4;

    /// <summary>Require the partner's label to differ from the base's; default: true for Lin et al., false for Sener–Koltun.</summary>
    public bool? DifferentLabels { get; init; }

    /// <summary>How many base images to use (the first ones); default all.</summary>
    public int? Count { get; init; }

    /// <summary>Name of the task whose label is the top-left item's class.</summary>
    public string TopLeftTask { get; init; } = "top_left";

    /// <summary>Name of the task whose label is the bottom-right item's class.</summary>
    public string BottomRightTask { get; init; } = "bottom_right";
}

/// <summary>
/// Builds the two-item multi-task image benchmarks deterministically from a seed. Every sample i of the top-left
/// source (the first <see cref="MultiDigitOptions.Count"/>) is paired with one partner drawn from the bottom-right
/// source; task 1 (<see cref="MultiDigitOptions.TopLeftTask"/>) is the top-left item's class, task 2 the bottom-right
/// item's. Geometry:
/// <list type="bullet">
/// <item>Sener–Koltun 2018: 36 × 36 zero canvas, item 1 at rows/cols 0..27, item 2 at 6..33, pixel-wise max; then
/// resized 36 → 28 with <see cref="MultiDigitOptions.Resize"/> (area averaging by default). Partner: uniform over the
/// other samples (not the base itself when both sources are the same dataset).</item>
/// <item>Lin et al. 2019: 36 × 36, not resized; item 1's corner at (dy₁, dx₁), item 2's at (8 + dy₂, 8 + dx₂), each
/// shift uniform in [−MaxShift, MaxShift]; pixels pushed off the canvas are cropped; pixel-wise max. Partner: uniform
/// over samples whose label differs from the base's.</item>
/// </list>
/// Sources must be single-channel 28 × 28 float images with a class label for every sample.
/// </summary>
public static class MultiDigitBuilder
{
    /// <summary>Item size (MNIST / Fashion-MNIST).</summary>
    public const int ItemSize = 28;

    /// <summary>Canvas size of both recipes.</summary>
    public const int CanvasSize = 36;

    /// <summary>MultiMNIST from an MNIST dataset (task "digit" by default).</summary>
    public static InMemoryDataset MultiMnist(IMultiTaskDataset mnist, MultiDigitOptions? options = null, string task = "digit") =>
        Build(mnist, task, mnist, task, options);

    /// <summary>MultiFashion from a Fashion-MNIST dataset (task "item" by default).</summary>
    public static InMemoryDataset MultiFashion(IMultiTaskDataset fashion, MultiDigitOptions? options = null, string task = FashionMnist.TaskName) =>
        Build(fashion, task, fashion, task, options);

    /// <summary>MultiFashion+MNIST: an MNIST digit top-left, a Fashion-MNIST item bottom-right.</summary>
    public static InMemoryDataset MultiFashionMnist(IMultiTaskDataset mnist, IMultiTaskDataset fashion, MultiDigitOptions? options = null,
        string mnistTask = "digit", string fashionTask = FashionMnist.TaskName) =>
        Build(mnist, mnistTask, fashion, fashionTask, options);

    /// <summary>
    /// The general builder: base items from <paramref name="topLeft"/>'s task <paramref name="topLeftTask"/>, partners
    /// from <paramref name="bottomRight"/>'s task <paramref name="bottomRightTask"/>.
    /// </summary>
    public static InMemoryDataset Build(IMultiTaskDataset topLeft, string topLeftTask, IMultiTaskDataset bottomRight, string bottomRightTask,
        MultiDigitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topLeft);
        ArgumentNullException.ThrowIfNull(bottomRight);
        var o = options ?? new MultiDigitOptions();
        if (o.MaxShift < 0 || o.MaxShift > 8) throw new ArgumentOutOfRangeException(nameof(options), o.MaxShift, "MultiDigitBuilder: MaxShift must lie in [0, 8]");
        if (o.TopLeftTask == o.BottomRightTask) throw new ArgumentException($"MultiDigitBuilder: the two tasks need different names, both are '{o.TopLeftTask}'", nameof(options));
        CheckImages(topLeft, "top-left");
        CheckImages(bottomRight, "bottom-right");
        int count = o.Count ?? topLeft.Count;
        if (count < 0 || count > topLeft.Count)
            throw new ArgumentOutOfRangeException(nameof(options), count, $"MultiDigitBuilder: Count must lie in [0, {topLeft.Count}]");
        var leftInfo = topLeft.Tasks[topLeft.TaskIndex(topLeftTask)];
        var rightInfo = bottomRight.Tasks[bottomRight.TaskIndex(bottomRightTask)];
        int[] leftLabels = Labelled(topLeft, topLeftTask), rightLabels = Labelled(bottomRight, bottomRightTask);

        var draws = Draw(count, leftLabels, rightLabels, ReferenceEquals(topLeft, bottomRight), o);
        float[] a = topLeft.AllInputs(), b = bottomRight.AllInputs();
        bool lin = o.Recipe == MultiDigitRecipe.LinParetoMtl2019;
        int outSize = lin ? CanvasSize : ItemSize, outLen = outSize * outSize, itemLen = ItemSize * ItemSize;
        var resize = lin ? null : new ImageResize(CanvasSize, CanvasSize, ItemSize, ItemSize, o.Resize);
        var x = new float[(long)count * outLen];
        MtlThreads.For(count, 512, (_, start, end) =>
        {
            var canvas = new float[CanvasSize * CanvasSize];
            for (int i = start; i < end; i++)
            {
                var first = a.AsSpan(i * itemLen, itemLen);
                var second = b.AsSpan(draws.Partner[i] * itemLen, itemLen);
                var dst = x.AsSpan(i * outLen, outLen);
                if (lin)
                {
                    var s = draws.Shifts.AsSpan(4 * i, 4);
                    Compose(first, (s[0], s[1]), second, (8 + s[2], 8 + s[3]), dst);
                }
                else
                {
                    Compose(first, (0, 0), second, (6, 6), canvas);
                    resize!.Apply(canvas, dst);
                }
            }
        });
        var y1 = leftLabels.AsSpan(0, count).ToArray();
        var y2 = draws.Partner.Select(j => rightLabels[j]).ToArray();
        return new InMemoryDataset([1, outSize, outSize], x,
            LabelColumn.Classes(o.TopLeftTask, leftInfo.NumClasses, y1, classNames: leftInfo.ClassNames),
            LabelColumn.Classes(o.BottomRightTask, rightInfo.NumClasses, y2, classNames: rightInfo.ClassNames));
    }

    /// <summary>
    /// Pastes two 28 × 28 items onto a zero 36 × 36 <paramref name="canvas"/> with their top-left corners at
    /// <paramref name="firstAt"/> and <paramref name="secondAt"/> (row, col; may be negative or run past the edge, the
    /// outside is cropped), combining them by pixel-wise max.
    /// </summary>
    public static void Compose(ReadOnlySpan<float> first, (int Row, int Col) firstAt, ReadOnlySpan<float> second, (int Row, int Col) secondAt, Span<float> canvas)
    {
        if (first.Length != ItemSize * ItemSize || second.Length != ItemSize * ItemSize || canvas.Length != CanvasSize * CanvasSize)
            throw new ArgumentException($"MultiDigitBuilder.Compose: expects two {ItemSize}×{ItemSize} items and a {CanvasSize}×{CanvasSize} canvas");
        canvas.Clear();
        PasteMax(first, firstAt, canvas);
        PasteMax(second, secondAt, canvas);
    }

    private static void PasteMax(ReadOnlySpan<float> item, (int Row, int Col) at, Span<float> canvas)
    {
        for (int r = 0; r < ItemSize; r++)
        {
            int cy = at.Row + r;
            if ((uint)cy >= CanvasSize) continue;
            for (int c = 0; c < ItemSize; c++)
            {
                int cx = at.Col + c;
                if ((uint)cx >= CanvasSize) continue;
                ref float d = ref canvas[cy * CanvasSize + cx];
                d = Math.Max(d, item[r * ItemSize + c]);
            }
        }
    }

    /// <summary>The random choices of a build: partner index per base image, and 4 shifts (dy₁, dx₁, dy₂, dx₂) each for Lin et al.</summary>
    internal sealed record Draws(int[] Partner, int[] Shifts);

    /// <summary>Draws partners (and shifts) in base-image order from one generator seeded with the options' seed.</summary>
    internal static Draws Draw(int count, int[] leftLabels, int[] rightLabels, bool sameSource, MultiDigitOptions o)
    {
        bool lin = o.Recipe == MultiDigitRecipe.LinParetoMtl2019;
        bool different = o.DifferentLabels ?? lin;
        int m = rightLabels.Length;
        var gen = new Generator(o.Seed);
        var partner = new int[count];
        var shifts = new int[lin ? 4 * count : 0];
        int classes = Math.Max(leftLabels.DefaultIfEmpty(0).Max(), rightLabels.DefaultIfEmpty(0).Max()) + 1;
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++) byClass[c] = [];
        for (int j = 0; j < m; j++) byClass[rightLabels[j]].Add(j);
        for (int i = 0; i < count; i++)
        {
            if (different)
            {
                int l = leftLabels[i], others = m - byClass[l].Count;
                if (others == 0) throw new InvalidOperationException($"MultiDigitBuilder: no partner with a label other than {l} exists for base sample {i}");
                int r = gen.NextInt(others);
                for (int c = 0; ; c++)
                {
                    if (c == l) continue;
                    if (r < byClass[c].Count) { partner[i] = byClass[c][r]; break; }
                    r -= byClass[c].Count;
                }
            }
            else if (sameSource)
            {
                if (m < 2) throw new InvalidOperationException("MultiDigitBuilder: needs at least two images to pair");
                int j = gen.NextInt(m - 1);
                partner[i] = j >= i ? j + 1 : j;
            }
            else
            {
                if (m == 0) throw new InvalidOperationException("MultiDigitBuilder: the bottom-right source is empty");
                partner[i] = gen.NextInt(m);
            }
            if (lin)
                for (int k = 0; k < 4; k++) shifts[4 * i + k] = gen.NextInt(2 * o.MaxShift + 1) - o.MaxShift;
        }
        return new Draws(partner, shifts);
    }

    private static void CheckImages(IMultiTaskDataset d, string role)
    {
        var s = d.Input.Shape;
        bool ok = d.Input.DType == DType.Float32 && !d.Input.VariableLength
            && ((s.Length == 3 && s[0] == 1 && s[1] == ItemSize && s[2] == ItemSize) || (s.Length == 2 && s[0] == ItemSize && s[1] == ItemSize));
        if (!ok)
            throw new ArgumentException($"MultiDigitBuilder: the {role} source must hold Float32 (1, 28, 28) images, got {d.Input.DType} {InMemoryDataset.Fmt(s)}");
    }

    private static int[] Labelled(IMultiTaskDataset d, string task)
    {
        var labels = d.ClassLabels(task);
        int missing = Array.IndexOf(labels, -1);
        if (missing >= 0) throw new ArgumentException($"MultiDigitBuilder: sample {missing} has no label for task '{task}'; every source sample needs one");
        return labels;
    }
}
