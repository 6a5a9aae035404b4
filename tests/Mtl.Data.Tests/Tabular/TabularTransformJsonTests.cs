// Tests that a fitted tabular transform survives a JSON save/load and that corrupt saved transforms are rejected.
namespace Mtl.Data.Tests;

public class TabularTransformJsonTests
{
    private static FittedTabularTransform FitFixture() => FittedTabularTransform.Fit(
        new TabularSchema { Standardize = true }
            .Numeric("age", "income")
            .Categorical("city")
            .Categorical("plan", CategoricalEncoding.Index, UnknownCategoryPolicy.Error, categories: ["premium", "basic"])
            .Classification("churned", taskName: "churn")
            .Regression("spend"),
        CsvTable.Load(TextTestFiles.Fixture("customers_train.csv")));

    private static float[] Encode(FittedTabularTransform t, CsvTable table)
    {
        var d = t.Transform(table);
        var all = new float[d.Count * t.FeatureCount];
        for (int i = 0; i < d.Count; i++) d.ReadInput(i, all.AsSpan(i * t.FeatureCount));
        return all;
    }

    [Fact]
    public void SaveLoadRoundTripEncodesIdentically()
    {
        var t = FitFixture();
        using var dir = new ScratchFolder();
        string path = Path.Combine(dir.Path, "transform.json");
        t.Save(path);
        var back = FittedTabularTransform.Load(path);
        Assert.Equal(t.FeatureNames, back.FeatureNames);
        Assert.Equal(t.StatisticsOf("age"), back.StatisticsOf("age"));
        Assert.Equal(t.CategoriesOf("city"), back.CategoriesOf("city"));
        Assert.Equal(["premium", "basic"], back.CategoriesOf("plan"));
        Assert.Equal(["no", "yes"], back.ClassesOf("churn"));
        Assert.Equal(t.Tasks.Select(x => (x.Name, x.Kind, x.NumClasses)), back.Tasks.Select(x => (x.Name, x.Kind, x.NumClasses)));
        Assert.Null(back.Schema.Tasks[0].Classes);                      // learned, not fixed: the schema round-trips too
        Assert.Equal(["premium", "basic"], back.Schema.Features[3].Categories);
        var valid = CsvTable.Load(TextTestFiles.Fixture("customers_valid.csv"));
        Assert.Equal(Encode(t, valid), Encode(back, valid));
        Assert.Equal(t.ToJson(), back.ToJson());
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("{\"format\":\"something-else\"}", "format is 'something-else'; expected 'mtl-tabular-transform/1'")]
    [InlineData("{\"format\":\"mtl-tabular-transform/1\",\"separator\":\",\",\"features\":[{\"column\":\"a\",\"kind\":\"numeric\",\"mean\":1,\"std\":0}],\"tasks\":[]}", "positive finite 'std'")]
    [InlineData("{\"format\":\"mtl-tabular-transform/1\",\"separator\":\",\",\"features\":[{\"column\":\"a\",\"kind\":\"wavelet\"}],\"tasks\":[]}", "kind 'wavelet'")]
    [InlineData("{\"format\":\"mtl-tabular-transform/1\",\"separator\":\",\",\"features\":[{\"column\":\"a\",\"kind\":\"numeric\",\"mean\":1,\"std\":1}],\"tasks\":[{\"name\":\"t\",\"column\":\"b\",\"kind\":\"classification\",\"classes\":[\"x\",\"x\"]}]}", "at least 2 distinct classes")]
    [InlineData("{\"format\":\"mtl-tabular-transform/1\",\"separator\":\",\",\"features\":[{\"column\":\"a\",\"kind\":\"numeric\",\"mean\":1,\"std\":1}],\"tasks\":[]}", "no task label columns")]
    public void CorruptTransformIsRejectedWithTheFileName(string json, string expected)
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("bad.json", json);
        var e = Assert.Throws<DataFileException>(() => FittedTabularTransform.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
