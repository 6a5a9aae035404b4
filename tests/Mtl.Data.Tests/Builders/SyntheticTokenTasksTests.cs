// Tests of the synthetic marker-token sequences (the `compare` benchmark's LSTM data and the synthetic-text dataset).
namespace Mtl.Data.Tests;

public class SyntheticTokenTasksTests
{
    private static int[] SetCounts(ReadOnlySpan<int> row, int firstSet, int sets)
    {
        var counts = new int[sets];
        foreach (int id in row)
        {
            int s = (id - 2) / 16 - firstSet;
            if (id >= 2 && s >= 0 && s < sets) counts[s]++;
        }
        return counts;
    }

    [Fact]
    public void Shapes_ids_and_labels_are_in_range_and_deterministic()
    {
        var o = new SyntheticTokenOptions { Count = 50, VocabularySize = 300, Length = 40, Seed = 3 };
        var a = SyntheticTokenTasks.Generate(o);
        var b = SyntheticTokenTasks.Generate(o);
        Assert.Equal(50, a.Count);
        Assert.Equal(["marker2", "marker4"], a.Tasks.Select(t => t.Name));
        Assert.True(a.Tokens.Span.SequenceEqual(b.Tokens.Span));
        Assert.All(a.Tokens.ToArray(), id => Assert.InRange(id, 2, 299));
        Assert.All(a.Lengths.ToArray(), n => Assert.Equal(40, n));
        Assert.All(a.ClassLabels("marker4"), y => Assert.InRange(y, 0, 3));
        Assert.False(a.Tokens.Span.SequenceEqual(SyntheticTokenTasks.Generate(o with { Seed = 4 }).Tokens.Span));
    }

    [Fact]
    public void The_label_set_is_the_most_frequent_marker_set_in_most_sequences()
    {
        var data = SyntheticTokenTasks.Generate(new SyntheticTokenOptions { Count = 400, Length = 200, Seed = 1 });
        var y2 = data.ClassLabels("marker2");
        var y4 = data.ClassLabels("marker4");
        int agree2 = 0, agree4 = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var row = data.Tokens.Span.Slice(i * 200, 200);
            var c2 = SetCounts(row, 0, 2);
            var c4 = SetCounts(row, 2, 4);
            if (Array.IndexOf(c2, c2.Max()) == y2[i]) agree2++;
            if (Array.IndexOf(c4, c4.Max()) == y4[i]) agree4++;
        }
        Assert.True(agree2 > 0.9 * data.Count, $"marker2 agrees with the counts in {agree2} of {data.Count}");
        Assert.True(agree4 > 0.8 * data.Count, $"marker4 agrees with the counts in {agree4} of {data.Count}");
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_builder()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTokenTasks.Generate(new SyntheticTokenOptions { VocabularySize = 50 }));
        Assert.Contains("SyntheticTokenTasks", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTokenTasks.Generate(new SyntheticTokenOptions { Length = 0 }));
    }
}
