// Tests of multi-input MTL helpers: masked task views, concatenation over the union of tasks, masks in loader batches.
namespace Mtl.Data.Tests;

public class MultiInputTests
{
    private static InMemoryDataset TokensWith(string task, int classes, int n, int offset) =>
        InMemoryDataset.FromTokens(3,
            Enumerable.Range(0, n).SelectMany(i => new[] { offset + i + 1, 1, 0 }).ToArray(),
            Enumerable.Repeat(2, n).ToArray(),
            LabelColumn.Classes(task, classes, Enumerable.Range(0, n).Select(i => i % classes).ToArray()));

    private static MultiInputTasks SentimentAndTopic() => new(("sentiment", TokensWith("sentiment", 2, 5, 100)), ("topic", TokensWith("topic", 4, 7, 200)));

    [Fact]
    public void EachTaskViewCarriesOnlyItsOwnLabels()
    {
        var m = SentimentAndTopic();
        Assert.Equal(["sentiment", "topic"], m.Tasks.Select(t => t.Name));
        var s = m.For("sentiment");
        Assert.Equal(m.Tasks, s.Tasks);
        var v = new float[1];
        Assert.True(s.ReadLabel(3, 0, v));
        Assert.Equal(1f, v[0]);
        Assert.False(s.ReadLabel(3, 1, v));
        var t = m.For("topic");
        Assert.False(t.ReadLabel(0, 0, v));
        Assert.True(t.ReadLabel(6, 1, v));
        Assert.Equal(2f, v[0]);
        Assert.Contains("tasks are: sentiment, topic", Assert.Throws<KeyNotFoundException>(() => m.For("x")).Message);
    }

    [Fact]
    public void BatchesFromOneTaskMaskTheOthers()
    {
        var m = SentimentAndTopic();
        using var loader = new DataLoader(m.For("topic"), new DataLoaderOptions { BatchSize = 4, Prefetch = 0 });
        var batch = loader.Epoch(0).First();
        Assert.Equal([1f, 1, 1, 1], batch.Masks["topic"].ToArray<float>());
        Assert.Equal([0f, 0, 0, 0], batch.Masks["sentiment"].ToArray<float>());
        Assert.All(batch.Targets["sentiment"].ToArray<int>(), y => Assert.Equal(LabelColumn.IgnoreIndex, y));
        Assert.Equal([0, 1, 2, 3], batch.Targets["topic"].ToArray<int>());
    }

    [Fact]
    public void MixedBatchesMaskPerSample()
    {
        var m = SentimentAndTopic();
        var mixed = m.Mixed();
        Assert.Equal(12, mixed.Count);
        Assert.Equal((1, 2), mixed.Locate(7));
        using var loader = new DataLoader(mixed, new DataLoaderOptions { BatchSize = 12, Prefetch = 0 });
        var b = loader.Epoch(0).Single();
        var sMask = b.Masks["sentiment"].ToArray<float>();
        var tMask = b.Masks["topic"].ToArray<float>();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(i < 5 ? 1f : 0f, sMask[i]);
            Assert.Equal(i < 5 ? 0f : 1f, tMask[i]);
            Assert.Equal(1f, sMask[i] + tMask[i]);
        }
        var tokens = b.Input.ToArray<int>();
        Assert.Equal(101, tokens[0]);
        Assert.Equal(201, tokens[5 * 3]);
        Assert.Equal(Enumerable.Repeat(2, 12), b.Lengths!.ToArray<int>());
    }

    [Fact]
    public void PerTaskLoadersAndDictionaryRegistration()
    {
        var m = new MultiInputTasks(new Dictionary<string, IMultiTaskDataset> { ["sentiment"] = TokensWith("sentiment", 2, 5, 100) });
        Assert.Equal(["sentiment"], m.TaskNames);
        var loaders = SentimentAndTopic().Loaders(new DataLoaderOptions { BatchSize = 3, Prefetch = 0 });
        Assert.Equal(2, loaders["sentiment"].BatchesPerEpoch);
        Assert.Equal(3, loaders["topic"].BatchesPerEpoch);
        foreach (var l in loaders.Values) l.Dispose();
        var dup = Assert.Throws<ArgumentException>(() => new MultiInputTasks(("a", TokensWith("a", 2, 1, 0)), ("a", TokensWith("a", 2, 1, 0))));
        Assert.Contains("'a' is registered twice", dup.Message);
    }

    [Fact]
    public void RejectsMismatchedInputsAndTaskDefinitions()
    {
        var a = ImageTestData.Numbered(3);
        var tokens = TokensWith("topic", 4, 2, 0);
        var e = Assert.Throws<ArgumentException>(() => new ConcatDataset(a, tokens));
        Assert.Contains("part 1 has input Int32 (3)", e.Message);
        var other = new InMemoryDataset([1, 2, 3], new float[6], LabelColumn.Classes("cls", 5, [0]));
        var def = Assert.Throws<ArgumentException>(() => new ConcatDataset(a, other));
        Assert.Contains("task 'cls' is 10-class in an earlier part but 5-class in part 1", def.Message);
        var missing = Assert.Throws<ArgumentException>(() => new MultiInputTasks(("nope", (IMultiTaskDataset)a)));
        Assert.Contains("has no task of that name", missing.Message);
    }

    [Fact]
    public void ConcatSkipsEmptyParts()
    {
        var a = ImageTestData.Numbered(2);
        var empty = a.Take([]);
        var c = new ConcatDataset(empty, a, empty, a);
        Assert.Equal(4, c.Count);
        Assert.Equal((1, 0), c.Locate(0));
        Assert.Equal((3, 1), c.Locate(3));
    }
}
