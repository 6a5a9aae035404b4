// Tests of the RFC-4180 reader and CsvTable: quoting, line numbers, separators, and each malformed-file error.
namespace Mtl.Data.Tests;

public class CsvReaderTests
{
    private static List<(long Line, string[] Fields)> ReadAll(string text, char sep = ',', char? quote = '"')
    {
        using var r = new CsvReader(new StringReader(text), "mem.csv", sep, quote);
        var list = new List<(long, string[])>();
        while (r.ReadRecord() is { } rec) list.Add((r.RecordLine, rec));
        return list;
    }

    [Fact]
    public void QuotedFieldsHoldSeparatorsQuotesAndLineBreaks()
    {
        var recs = ReadAll("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n1,,3");
        Assert.Equal(3, recs.Count);
        Assert.Equal(["a", "b", "c"], recs[0].Fields);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], recs[1].Fields);
        Assert.Equal(["1", "", "3"], recs[2].Fields);
        Assert.Equal([1L, 2L, 4L], recs.Select(r => r.Line));   // the quoted line break moves the next record to line 4
    }

    [Fact]
    public void LineEndingsBlankLinesAndTrailingSeparators()
    {
        var recs = ReadAll("a,b\r\r\n\n1,2\r3,\n\n");
        Assert.Equal(3, recs.Count);
        Assert.Equal(["3", ""], recs[2].Fields);
        Assert.Equal([1L, 4L, 5L], recs.Select(r => r.Line));   // CR, CRLF and LF each end one line
    }

    [Fact]
    public void TabSeparatorAndLiteralQuotesInPlainFields()
    {
        var recs = ReadAll("a\tb\nsays \"hi\", twice\t\"q\ttab\"\n", sep: '\t');
        Assert.Equal(["says \"hi\", twice", "q\ttab"], recs[1].Fields);
        var plain = ReadAll("\"a\"\tb\n", sep: '\t', quote: null);
        Assert.Equal(["\"a\"", "b"], plain[0].Fields);
    }

    [Fact]
    public void TsvFixtureLoads()
    {
        var t = CsvTable.Load(TextTestFiles.Fixture("customers_test.tsv"), '\t');
        Assert.Equal(8, t.Header.Count);
        Assert.Equal(2, t.RowCount);
        Assert.Equal("says \"hi\", twice", t.Cell(0, t.ColumnIndex("note")));
        Assert.Equal(3, t.LineOf(1));
    }

    [Fact]
    public void CsvFixtureTracksTheLineEachRowStartsOn()
    {
        var t = CsvTable.Load(TextTestFiles.Fixture("customers_train.csv"));
        Assert.Equal(6, t.RowCount);
        Assert.Equal(1L, t.HeaderLine);
        Assert.Equal([2L, 3L, 4L, 6L, 7L, 8L], Enumerable.Range(0, 6).Select(t.LineOf));
        Assert.Equal("line one\nline two", t.Cell(2, t.ColumnIndex("note")));
        Assert.Equal("likes \"fast\" support", t.Cell(0, t.ColumnIndex("note")));
    }

    [Fact]
    public void UnclosedQuoteNamesFileAndTheLineItOpenedOn()
    {
        var e = Assert.Throws<DataFileException>(() => CsvTable.Parse("a,b\n1,2\n3,\"never\nclosed\n", "bad.csv"));
        Assert.Contains("bad.csv, line 3", e.Message);
        Assert.Contains("never closed", e.Message);
        Assert.Contains("expected a closing", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void TextAfterClosingQuoteIsAnError()
    {
        var e = Assert.Throws<DataFileException>(() => CsvTable.Parse("a,b\n\"x\"y,2\n", "bad.csv"));
        Assert.Contains("bad.csv, line 2", e.Message);
        Assert.Contains("field 1", e.Message);
        Assert.Contains("'y'", e.Message);
        Assert.Contains("expected the separator ','", e.Message);
    }

    [Fact]
    public void WrongFieldCountNamesFileLineAndCounts()
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("short.csv", "a,b,c\n1,2,3\n\"4\n\",5\n");
        var e = Assert.Throws<DataFileException>(() => CsvTable.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("got 2 fields, expected 3", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void WrongFieldCountWithTabsSaysTab()
    {
        var e = Assert.Throws<DataFileException>(() => CsvTable.Parse("a\tb\n1,2\n", "x.tsv", '\t'));
        Assert.Contains("x.tsv, line 2: got 1 field, expected 2", e.Message);
        Assert.Contains("TAB", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n\n")]
    public void EmptyFileIsAnError(string content)
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("empty.csv", content);
        var e = Assert.Throws<DataFileException>(() => CsvTable.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
        Assert.Contains("expected a header row", e.Message);
    }

    [Fact]
    public void DuplicateHeaderNamesTheColumn()
    {
        var e = Assert.Throws<DataFileException>(() => CsvTable.Parse("a,b,a\n1,2,3\n", "dup.csv"));
        Assert.Contains("dup.csv, line 1, column 'a'", e.Message);
        Assert.Contains("expected unique column names", e.Message);
    }

    [Fact]
    public void InvalidUtf8NamesFileAndLine()
    {
        using var dir = new ScratchFolder();
        byte[] bytes = [.. "a,b\n1,2\n"u8.ToArray(), (byte)'3', (byte)',', 0xE9, (byte)'\n'];   // Latin-1 'é'
        string path = dir.WriteBytes("latin1.csv", bytes);
        var e = Assert.Throws<DataFileException>(() => CsvTable.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("byte 0xE9 at offset 10", e.Message);
    }

    [Fact]
    public void Utf16WithBomIsDecoded()
    {
        using var dir = new ScratchFolder();
        string path = Path.Combine(dir.Path, "u16.csv");
        File.WriteAllText(path, "name,x\nété,1\n", new System.Text.UnicodeEncoding(false, true));
        var t = CsvTable.Load(path);
        Assert.Equal("été", t.Cell(0, 0));
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CsvTable.Load("/no/such/dir/x.csv"));
        Assert.Contains("/no/such/dir/x.csv", e.Message);
    }

    [Fact]
    public void NoHeaderNamesColumnsByPosition()
    {
        var t = CsvTable.Parse("1,a\n2,b\n", "n.csv", hasHeader: false);
        Assert.Equal(["1", "2"], t.Header);
        Assert.Equal(2, t.RowCount);
        Assert.Null(t.HeaderLine);
        var e = Assert.Throws<DataFileException>(() => CsvTable.Parse("1,a\n2\n", "n.csv", hasHeader: false));
        Assert.Contains("n.csv, line 2: got 1 field, expected 2 (as many as the first record", e.Message);
    }

    [Fact]
    public void BadSeparatorIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new CsvReader(new StringReader(""), "x", '\n'));
        Assert.Throws<ArgumentException>(() => new CsvReader(new StringReader(""), "x", '"'));
    }
}
