// Tests of the aclImdb reader on the committed synthetic sample and on malformed layouts and files.
namespace Mtl.Data.Tests;

public class ImdbReaderTests
{
    private static string Root => Path.Combine(TextTestFiles.DataText, "aclImdb");

    [Fact]
    public void ReadsTheCommittedSample()
    {
        var train = ImdbReader.Read(Root, "train");
        var test = ImdbReader.Read(Root, "test");
        Assert.Equal(150, train.Count);   // unsup/ is ignored
        Assert.Equal(50, test.Count);
        var task = Assert.Single(train.Tasks);
        Assert.Equal(new TaskLabels("sentiment", LabelKind.ClassIndex, 2, 1, ImdbReader.SentimentClasses), task);
        Assert.Equal(75, Enumerable.Range(0, 150).Count(i => train.Label(i, 0) == 1f));
        // Fixed order: neg then pos, ascending ids; the text is the file's content.
        Assert.Equal(0f, train.Label(0, 0));
        Assert.Matches(@"[/\\]neg[/\\]0_\d+\.txt$", train.Sources[0]);
        Assert.Matches(@"[/\\]neg[/\\]1_\d+\.txt$", train.Sources[1]);
        Assert.Matches(@"[/\\]pos[/\\]0_\d+\.txt$", train.Sources[75]);
        Assert.Equal(File.ReadAllText(train.Sources[80]), train.Texts[80]);
        Assert.Null(train.Lines[0]);
    }

    [Fact]
    public void RatingAsSecondTask()
    {
        var reg = ImdbReader.Read(TextTestFiles.DataText, "test", new ImdbOptions { Rating = ImdbRatingTask.Regression, SentimentTask = "sent" });
        Assert.Equal(["sent", "rating"], reg.Tasks.Select(t => t.Name));   // the parent of aclImdb works as root too
        for (int i = 0; i < reg.Count; i++)
        {
            int rating = int.Parse(Path.GetFileNameWithoutExtension(reg.Sources[i]).Split('_')[1]);
            Assert.Equal(rating, reg.Label(i, 1));
            Assert.True(reg.Label(i, 0) == 1f ? rating >= 7 : rating <= 4);
        }
        var cls = ImdbReader.Read(Root, "test", new ImdbOptions { Rating = ImdbRatingTask.Classification, MaxPerClass = 3 });
        Assert.Equal(6, cls.Count);
        Assert.Equal(10, cls.Tasks[1].NumClasses);
        Assert.Equal(int.Parse(Path.GetFileNameWithoutExtension(cls.Sources[0]).Split('_')[1]) - 1, cls.Label(0, 1));
    }

    [Fact]
    public void MissingPosFolderNamesThePath()
    {
        using var dir = new ScratchFolder();
        dir.Write("train/neg/0_2.txt", "Bad.");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImdbReader.Read(dir.Path, "train"));
        Assert.Contains($"folder '{Path.Combine(dir.Path, "train", "pos")}' not found", e.Message);
        Assert.Contains("{root}/{train|test}/{pos|neg}/{id}_{rating}.txt", e.Message);
    }

    [Fact]
    public void EmptyReviewNamesTheFile()
    {
        using var dir = new ScratchFolder();
        dir.Write("train/neg/0_2.txt", "Dull.");
        string empty = dir.Write("train/pos/3_9.txt", " \n ");
        dir.Write("train/pos/1_9.txt", "Great.");
        var e = Assert.Throws<DataFileException>(() => ImdbReader.Read(dir.Path, "train"));
        Assert.Contains(empty, e.Message);
        Assert.Contains("empty; expected the text of one review", e.Message);
    }

    [Theory]
    [InlineData("review.txt", "does not match {id}_{rating}.txt")]
    [InlineData("4_11.txt", "rating 11; expected a rating from 1 to 10")]
    [InlineData("4_0.txt", "rating 0; expected a rating from 1 to 10")]
    public void BadFileNameNamesTheFile(string name, string expected)
    {
        using var dir = new ScratchFolder();
        dir.Write("test/neg/0_2.txt", "Dull.");
        string bad = dir.Write($"test/pos/{name}", "Great.");
        var e = Assert.Throws<DataFileException>(() => ImdbReader.Read(dir.Path, "test"));
        Assert.Contains(bad, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnreadableEncodingNamesTheFile()
    {
        using var dir = new ScratchFolder();
        dir.Write("train/neg/0_2.txt", "Dull.");
        string bad = dir.WriteBytes("train/pos/0_8.txt", [(byte)'C', (byte)'a', (byte)'f', 0xE9, (byte)'!']);
        var e = Assert.Throws<DataFileException>(() => ImdbReader.Read(dir.Path, "train"));
        Assert.Contains($"{bad}, line 1", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void EmptyFolderIsAnError()
    {
        using var dir = new ScratchFolder();
        dir.Write("train/neg/0_2.txt", "Dull.");
        Directory.CreateDirectory(Path.Combine(dir.Path, "train", "pos"));
        var e = Assert.Throws<DataFileException>(() => ImdbReader.Read(dir.Path, "train"));
        Assert.Contains(Path.Combine(dir.Path, "train", "pos"), e.Message);
        Assert.Contains("no review files", e.Message);
    }
}
