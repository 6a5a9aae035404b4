// Tests of the AG News CSV reader on the committed synthetic sample and on malformed records.
namespace Mtl.Data.Tests;

public class AgNewsReaderTests
{
    private static string TrainCsv => Path.Combine(TextTestFiles.DataText, "ag_news_csv", "train.csv");

    [Fact]
    public void ReadsTheCommittedSample()
    {
        var train = AgNewsReader.Read(TrainCsv);
        var test = AgNewsReader.Read(Path.Combine(TextTestFiles.DataText, "ag_news_csv", "test.csv"));
        Assert.Equal(320, train.Count);
        Assert.Equal(80, test.Count);
        var task = Assert.Single(train.Tasks);
        Assert.Equal("topic", task.Name);
        Assert.Equal(["World", "Sports", "Business", "Sci/Tech"], task.ClassNames);
        for (int c = 0; c < 4; c++) Assert.Equal(80, Enumerable.Range(0, 320).Count(i => train.Label(i, 0) == c));
        // text = title + " " + description; label = class index - 1; line numbers follow the file.
        var first = CsvTable.Load(TrainCsv, hasHeader: false);
        Assert.Equal(first.Cell(0, 1) + " " + first.Cell(0, 2), train.Texts[0]);
        Assert.Equal(int.Parse(first.Cell(0, 0)) - 1, train.Label(0, 0));
        Assert.Equal([1L, 2L, 3L], train.Lines.Take(3));
        Assert.Equal(TrainCsv, train.Sources[0]);
    }

    [Fact]
    public void HandlesQuotedCommasAndDoubledQuotes()
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("t.csv", "\"2\",\"Reds win, again\",\"\"\"We never stopped,\"\" he said.\"\n3,Plain title,plain text\n");
        var c = AgNewsReader.Read(path, new AgNewsOptions { TaskName = "news" });
        Assert.Equal("Reds win, again \"We never stopped,\" he said.", c.Texts[0]);
        Assert.Equal(1f, c.Label(0, 0));
        Assert.Equal(2f, c.Label(1, 0));
        Assert.Equal("news", c.Tasks[0].Name);
    }

    [Theory]
    [InlineData("\"5\"", "got '5', expected an integer from 1 to 4 (1=World, 2=Sports, 3=Business, 4=Sci/Tech)")]
    [InlineData("\"0\"", "got '0', expected an integer from 1 to 4")]
    [InlineData("\"sports\"", "got 'sports', expected an integer from 1 to 4")]
    [InlineData("\"\"", "got '', expected an integer from 1 to 4")]
    public void BadClassIndexNamesFileLineAndValue(string cls, string expected)
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("bad.csv", $"\"1\",\"a\",\"b\"\n\"2\",\"c\",\"multi\nline\"\n{cls},\"t\",\"d\"\n");
        var e = Assert.Throws<DataFileException>(() => AgNewsReader.Read(path));
        Assert.Contains($"{path}, line 4, column 'class index'", e.Message);   // the second record spans lines 2-3
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("\"1\",\"only a title\"", "got 2 fields, expected 3")]
    [InlineData("\"1\",\"a\",\"b\",\"extra\"", "got 4 fields, expected 3")]
    public void WrongFieldCountNamesFileAndLine(string record, string expected)
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("bad.csv", $"\"1\",\"a\",\"b\"\n{record}\n");
        var e = Assert.Throws<DataFileException>(() => AgNewsReader.Read(path));
        Assert.Contains($"{path}, line 2", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void EmptyFileAndEmptyArticleAreErrors()
    {
        using var dir = new ScratchFolder();
        string empty = dir.Write("empty.csv", "");
        var e = Assert.Throws<DataFileException>(() => AgNewsReader.Read(empty));
        Assert.Contains($"{empty}: the file is empty", e.Message);
        string blank = dir.Write("blank.csv", "\"1\",\"a\",\"b\"\n\"3\",\" \",\"\"\n");
        var e2 = Assert.Throws<DataFileException>(() => AgNewsReader.Read(blank));
        Assert.Contains($"{blank}, line 2: the title and description are both empty", e2.Message);
    }

    [Fact]
    public void UnreadableEncodingNamesFileAndLine()
    {
        using var dir = new ScratchFolder();
        string path = dir.WriteBytes("latin1.csv", [.. "\"1\",\"a\",\"b\"\n\"2\",\"Caf"u8.ToArray(), 0xE9, .. "\",\"x\"\n"u8.ToArray()]);
        var e = Assert.Throws<DataFileException>(() => AgNewsReader.Read(path));
        Assert.Contains($"{path}, line 2", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => AgNewsReader.Read("/no/such/ag/train.csv"));
        Assert.Contains("/no/such/ag/train.csv", e.Message);
    }
}
