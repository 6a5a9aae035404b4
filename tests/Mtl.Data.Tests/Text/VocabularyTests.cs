// Tests of the vocabulary: reserved ids, min frequency, max size with deterministic ties, OOV, JSON save/load.
namespace Mtl.Data.Tests;

public class VocabularyTests
{
    private static readonly IReadOnlyList<string>[] Texts =
    [
        ["the", "cat", "sat", "on", "the", "mat"],
        ["the", "dog", "sat", "<unk>", "<pad>"],
        ["a", "cat", "and", "a", "dog"],
    ];
    // counts: the 3, cat 2, sat 2, dog 2, a 2, on 1, mat 1, and 1 (reserved tokens in the text are not counted)

    [Fact]
    public void ReservedTokensComeFirstThenByFrequencyThenOrdinal()
    {
        var v = Vocabulary.Build(Texts);
        Assert.Equal(["<pad>", "<unk>", "the", "a", "cat", "dog", "sat", "and", "mat", "on"], v.Tokens);
        Assert.Equal(0, v.IdOf("<pad>"));
        Assert.Equal(1, v.IdOf("<unk>"));
        Assert.Equal(Vocabulary.PadId, v.IdOf(Vocabulary.PadToken));
        Assert.Equal("the", v.TokenOf(2));
    }

    [Fact]
    public void MinFrequencyDropsRareTokens()
    {
        var v = Vocabulary.Build(Texts, minFrequency: 2);
        Assert.Equal(["<pad>", "<unk>", "the", "a", "cat", "dog", "sat"], v.Tokens);
        Assert.Equal(Vocabulary.UnkId, v.IdOf("mat"));
        Assert.Equal(Vocabulary.UnkId, v.IdOf("never-seen"));
        Assert.False(v.Contains("mat"));
    }

    [Fact]
    public void MaxSizeCountsReservedTokensAndBreaksTiesDeterministically()
    {
        var v = Vocabulary.Build(Texts, maxSize: 5);
        Assert.Equal(["<pad>", "<unk>", "the", "a", "cat"], v.Tokens);   // "a" < "cat" < "dog" < "sat" among the count-2 tokens
        var shuffled = Vocabulary.Build(Texts.Reverse().Select(t => (IReadOnlyList<string>)t.Reverse().ToList()), maxSize: 5);
        Assert.Equal(v.Tokens, shuffled.Tokens);                          // order of the texts does not matter
        Assert.Equal(2, Vocabulary.Build(Texts, maxSize: 2).Count);
    }

    [Fact]
    public void EncodeMapsOovToUnk()
    {
        var v = Vocabulary.Build(Texts);
        Assert.Equal([2, 4, 1, 1], v.Encode(["the", "cat", "purred", "<unk>"]));
    }

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var v = Vocabulary.Build([["été", "<br", "\"q\"", "x"], ["x"]]);
        using var dir = new ScratchFolder();
        string path = Path.Combine(dir.Path, "vocab.json");
        v.Save(path);
        var back = Vocabulary.Load(path);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Equal(v.IdOf("été"), back.IdOf("été"));
        Assert.Contains("\"été\"", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("[1,2", "not valid JSON")]
    [InlineData("{\"format\":\"other\",\"tokens\":[]}", "expected an object with \"format\": \"mtl-vocabulary/1\"")]
    [InlineData("{\"format\":\"mtl-vocabulary/1\",\"tokens\":[\"<unk>\",\"<pad>\"]}", "start with \"<pad>\", \"<unk>\"")]
    [InlineData("{\"format\":\"mtl-vocabulary/1\",\"tokens\":[\"<pad>\",\"<unk>\",\"a\",\"a\"]}", "'a' is listed twice")]
    [InlineData("{\"format\":\"mtl-vocabulary/1\",\"tokens\":[\"<pad>\",\"<unk>\",3]}", "token 2 is Number, expected a string")]
    public void CorruptVocabularyIsRejectedWithTheFileName(string json, string expected)
    {
        using var dir = new ScratchFolder();
        string path = dir.Write("vocab.json", json);
        var e = Assert.Throws<DataFileException>(() => Vocabulary.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Texts, minFrequency: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Texts, maxSize: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Texts).TokenOf(99));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["a", "<pad>"]));
    }
}
