// Tests of the Fashion-MNIST item/group hierarchy.
namespace Mtl.Data.Tests;

public class FashionHierarchyTests
{
    [Fact]
    public void GroupsFollowTheDocumentedMapping()
    {
        var byName = FashionMnist.ClassNames.Select((n, i) => (n, g: FashionHierarchy.GroupNames[FashionHierarchy.GroupOfItem[i]])).ToDictionary(p => p.n, p => p.g);
        Assert.Equal("tops", byName["T-shirt/top"]);
        Assert.Equal("tops", byName["Pullover"]);
        Assert.Equal("tops", byName["Shirt"]);
        Assert.Equal("bottoms", byName["Trouser"]);
        Assert.Equal("footwear", byName["Sandal"]);
        Assert.Equal("footwear", byName["Sneaker"]);
        Assert.Equal("footwear", byName["Ankle boot"]);
        Assert.Equal("bags", byName["Bag"]);
        Assert.Equal("dresses/coats", byName["Dress"]);
        Assert.Equal("dresses/coats", byName["Coat"]);
    }

    [Fact]
    public void BuildsBothTasksOnTheSameImages()
    {
        var fashion = Samples.FashionTest();
        var h = FashionHierarchy.Build(fashion);
        Assert.Equal(["item", "group"], h.Tasks.Select(t => t.Name));
        Assert.Equal(5, h.Tasks[1].NumClasses);
        var items = h.ClassLabels("item");
        var groups = h.ClassLabels("group");
        Assert.Equal(fashion.ClassLabels("item"), items);
        for (int i = 0; i < items.Length; i++) Assert.Equal(FashionHierarchy.GroupOfItem[items[i]], groups[i]);
        Assert.Equal(300, groups.Count(g => g == 0));   // 3 of the 10 classes are tops, 100 test images each
        Assert.True(h.Inputs.Span.SequenceEqual(fashion.Inputs.Span));
    }

    [Fact]
    public void MissingItemLabelsStayMissing()
    {
        var ds = new InMemoryDataset([1], new float[3], LabelColumn.Classes("item", 10, [1, 0, 8], [true, false, true]));
        var h = FashionHierarchy.Build(ds);
        Assert.Equal([1, -1, 3], h.ClassLabels("group"));
        Assert.Throws<ArgumentException>(() => FashionHierarchy.Build(new InMemoryDataset([1], new float[1], LabelColumn.Classes("item", 3, [0]))));
    }
}
