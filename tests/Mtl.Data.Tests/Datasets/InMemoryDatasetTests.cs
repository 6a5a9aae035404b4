// Tests of InMemoryDataset and LabelColumn: reads, token inputs, Take, and validation messages.
namespace Mtl.Data.Tests;

public class InMemoryDatasetTests
{
    [Fact]
    public void ReadsInputsAndLabels()
    {
        var ds = ImageTestData.Numbered(7);
        Assert.Equal(7, ds.Count);
        Assert.Equal([1, 2, 3], ds.Input.Shape);
        Assert.Equal(["cls", "vec"], ds.Tasks.Select(t => t.Name));
        var x = new float[6];
        Assert.Equal(1, ds.ReadInput(4, x));
        Assert.Equal([4000f, 4001, 4002, 4003, 4004, 4005], x);
        var v = new float[2];
        Assert.True(ds.ReadLabel(4, 0, v));
        Assert.Equal(4f, v[0]);
        Assert.True(ds.ReadLabel(4, 1, v));
        Assert.Equal([4f, -4f], v);
        Assert.False(ds.ReadLabel(3, 1, v)); // every third sample lacks "vec"
    }

    [Fact]
    public void LabelOutsideClassesNamesTaskSampleValueAndClasses()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LabelColumn.Classes("digit", 10, [1, 2, 12, 3]));
        Assert.Contains("'digit'", e.Message);
        Assert.Contains("sample 2", e.Message);
        Assert.Contains("label 12", e.Message);
        Assert.Contains("NumClasses = 10", e.Message);
        var neg = Assert.Throws<ArgumentOutOfRangeException>(() => LabelColumn.Classes("digit", 10, [-1]));
        Assert.Contains("label -1", neg.Message);
        // An absent label is not checked.
        var ok = LabelColumn.Classes("digit", 10, [1, 99], [true, false]);
        Assert.False(ok.Has(1));
    }

    [Fact]
    public void RejectsMismatchedSizes()
    {
        Assert.Contains("5 input values", Assert.Throws<ArgumentException>(() => new InMemoryDataset([2, 2], new float[5])).Message);
        var e = Assert.Throws<ArgumentException>(() => new InMemoryDataset([2], new float[6], LabelColumn.Classes("a", 2, [0, 1])));
        Assert.Contains("task 'a' has 2 labels for 3 samples", e.Message);
        var dup = Assert.Throws<ArgumentException>(() => new InMemoryDataset([1], new float[1], LabelColumn.Classes("a", 2, [0]), LabelColumn.Classes("a", 3, [0])));
        Assert.Contains("'a' appears twice", dup.Message);
        Assert.Throws<ArgumentException>(() => LabelColumn.Vectors("v", 3, new float[4]));
        Assert.Throws<ArgumentException>(() => LabelColumn.Classes("a", 2, [0, 1], [true]));
        Assert.Throws<ArgumentException>(() => LabelColumn.Classes("a", 2, [0], classNames: ["x"]));
    }

    [Fact]
    public void TokenInputsCarryLengths()
    {
        var ds = InMemoryDataset.FromTokens(4, [5, 6, 0, 0, 7, 8, 9, 1], [2, 4], LabelColumn.Classes("s", 2, [1, 0]));
        Assert.Equal(DType.Int32, ds.Input.DType);
        Assert.True(ds.Input.VariableLength);
        var t = new int[4];
        Assert.Equal(2, ds.ReadTokens(0, t));
        Assert.Equal([5, 6, 0, 0], t);
        Assert.Throws<InvalidOperationException>(() => ds.ReadInput(0, new float[4]));
        var len = Assert.Throws<ArgumentOutOfRangeException>(() => InMemoryDataset.FromTokens(2, [1, 2], [3]));
        Assert.Contains("sample 0 has length 3", len.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InMemoryDataset.FromTokens(2, [1, -2], [2]));
    }

    [Fact]
    public void PerPositionLabelsAllowIgnoreIndexOnly()
    {
        var c = LabelColumn.PerPosition("tag", 3, 2, [0, LabelColumn.IgnoreIndex, 2, 1]);
        Assert.Equal(2, c.Count);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LabelColumn.PerPosition("tag", 3, 2, [0, 1, 3, 1]));
        Assert.Contains("sample 1 position 0 has label 3", e.Message);
    }

    [Fact]
    public void TakeCopiesSamplesInOrder()
    {
        var ds = ImageTestData.Numbered(10);
        var sub = ds.Take([9, 3, 3]);
        Assert.Equal(3, sub.Count);
        var x = new float[6];
        sub.ReadInput(0, x);
        Assert.Equal(9000f, x[0]);
        Assert.Equal([9, 3, 3], sub.ClassLabels("cls"));
        Assert.False(sub.ReadLabel(1, 1, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Take([10]));
    }

    [Fact]
    public void SubsetViewsAndValidatesIndices()
    {
        var ds = ImageTestData.Numbered(10);
        var sub = ds.Subset([2, 7]);
        Assert.Equal(2, sub.Count);
        Assert.Equal([2, 7], sub.ClassLabels("cls"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ds.Subset([1, 10]));
        Assert.Contains("index 1 is 10", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sub.ReadInput(2, new float[6]));
        Assert.Contains("tasks are: cls, vec", Assert.Throws<KeyNotFoundException>(() => ds.TaskIndex("nope")).Message);
    }
}
