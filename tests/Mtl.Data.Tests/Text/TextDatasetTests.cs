// Tests of TextDataset: encoding the committed corpora, padding and lengths, errors, and concurrent reads.
namespace Mtl.Data.Tests;

public class TextDatasetTests
{
    private static readonly Tokenizer Tok = new();

    private static (TextCorpus Corpus, Vocabulary Vocab) Imdb()
    {
        var corpus = ImdbReader.Read(Path.Combine(TextTestFiles.DataText, "aclImdb"), "train");
        return (corpus, Vocabulary.Build(corpus.Texts.Select(Tok.Tokenize), minFrequency: 2));
    }

    [Fact]
    public void EncodesTheImdbSampleWithPaddingAndLengths()
    {
        var (corpus, vocab) = Imdb();
        var ds = TextDataset.Encode(corpus, Tok, vocab, maxLength: 40);
        Assert.Equal(150, ds.Count);
        Assert.True(ds.Input.VariableLength);
        Assert.Equal([40], ds.Input.Shape);
        Assert.Equal(DType.Int32, ds.Input.DType);
        var ids = new int[40];
        for (int i = 0; i < ds.Count; i++)
        {
            var tokens = Tok.Tokenize(corpus.Texts[i]);
            int len = ds.ReadTokens(i, ids);
            Assert.Equal(Math.Min(40, tokens.Count), len);
            Assert.Equal(len, ds.LengthOf(i));
            Assert.Equal(vocab.Encode(tokens).Take(len), ids.Take(len));
            Assert.All(ids.Skip(len), id => Assert.Equal(Vocabulary.PadId, id));
            var y = new float[1];
            Assert.True(ds.ReadLabel(i, 0, y));
            Assert.Equal(corpus.Label(i, 0), y[0]);
        }
        Assert.Contains(Enumerable.Range(0, ds.Count), i => ds.LengthOf(i) == 40);   // some reviews are truncated
        Assert.Contains(Enumerable.Range(0, ds.Count), i => ds.LengthOf(i) < 40);    // and some padded
    }

    [Fact]
    public void TruncationCanKeepTheEnd()
    {
        var corpus = new TextCorpus([new TaskLabels("t", LabelKind.ClassIndex, 2)]);
        corpus.Add("one two three four five", "mem", null, 1f);
        var vocab = Vocabulary.FromTokens(["one", "two", "three", "four", "five"]);
        var ids = new int[3];
        TextDataset.Encode(corpus, Tok, vocab, 3).ReadTokens(0, ids);
        Assert.Equal([2, 3, 4], ids);
        Assert.Equal(3, TextDataset.Encode(corpus, Tok, vocab, 3, TruncationSide.KeepEnd).ReadTokens(0, ids));
        Assert.Equal([4, 5, 6], ids);
    }

    [Fact]
    public void AgNewsSampleEncodesWithTopicTask()
    {
        var corpus = AgNewsReader.Read(Path.Combine(TextTestFiles.DataText, "ag_news_csv", "test.csv"));
        var ds = TextDataset.Encode(corpus, Tok, Vocabulary.Build(corpus.Texts.Select(Tok.Tokenize)), 64);
        Assert.Equal(80, ds.Count);
        Assert.Equal("topic", ds.Tasks[0].Name);
        Assert.Equal(4, ds.Tasks[0].NumClasses);
        Assert.All(Enumerable.Range(0, ds.Count), i => Assert.InRange(ds.LengthOf(i), 10, 64));
    }

    [Fact]
    public void MissingLabelsAndTextsWithoutTokens()
    {
        var corpus = new TextCorpus([new TaskLabels("a", LabelKind.ClassIndex, 3), new TaskLabels("b", LabelKind.FloatVector, 0)]);
        corpus.Add("some text", "f1", null, 2f, null);
        corpus.Add("<br /><br />", "f2.csv", 7, null, 1.5f);
        var vocab = Vocabulary.FromTokens(["some"]);
        var e = Assert.Throws<DataFileException>(() => TextDataset.Encode(corpus, Tok, vocab, 4));
        Assert.Contains("f2.csv, line 7: the text has no tokens", e.Message);

        var ok = new TextCorpus(corpus.Tasks);
        ok.Add("some text", "f1", null, 2f, null);
        var ds = TextDataset.Encode(ok, Tok, vocab, 4);
        var y = new float[1];
        Assert.True(ds.ReadLabel(0, 0, y));
        Assert.Equal(2f, y[0]);
        Assert.False(ds.ReadLabel(0, 1, y));
        var ids = new int[4];
        Assert.Equal(2, ds.ReadTokens(0, ids));
        Assert.Equal([2, Vocabulary.UnkId, 0, 0], ids);
    }

    [Fact]
    public void BadLabelsAndReadsAreRejected()
    {
        var corpus = new TextCorpus([new TaskLabels("a", LabelKind.ClassIndex, 3)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.Add("x", "s", null, 3f));
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.Add("x", "s", null, 1.5f));
        Assert.Throws<ArgumentException>(() => corpus.Add("x", "s", null, 1f, 2f));
        Assert.Throws<ArgumentException>(() => new TextCorpus([new TaskLabels("a", LabelKind.FloatVector, 0, Width: 3)]));
        corpus.Add("x", "s", null, 1f);
        var ds = TextDataset.Encode(corpus, Tok, Vocabulary.FromTokens(["x"]), 4);
        Assert.Throws<NotSupportedException>(() => ds.ReadInput(0, new float[4]));
        Assert.Throws<ArgumentException>(() => ds.ReadTokens(0, new int[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.ReadTokens(1, new int[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.ReadLabel(0, 1, new float[1]));
    }

    [Fact]
    public void ConcurrentReadTokensMatchSequentialReads()
    {
        var (corpus, vocab) = Imdb();
        var ds = TextDataset.Encode(corpus, Tok, vocab, maxLength: 64);
        var expected = new int[ds.Count][];
        for (int i = 0; i < ds.Count; i++)
        {
            expected[i] = new int[65];
            expected[i][64] = ds.ReadTokens(i, expected[i]);
        }
        int mismatches = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var buf = new int[65];
            var y = new float[1];
            for (int round = 0; round < 40; round++)
                for (int k = 0; k < ds.Count; k++)
                {
                    int i = (k * 7 + worker * 13 + round) % ds.Count;
                    buf[64] = ds.ReadTokens(i, buf);
                    ds.ReadLabel(i, 0, y);
                    if (!buf.AsSpan().SequenceEqual(expected[i]) || y[0] != corpus.Label(i, 0)) Interlocked.Increment(ref mismatches);
                }
        });
        Assert.Equal(0, mismatches);
    }
}
