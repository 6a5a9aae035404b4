// Tests of the word tokenizer: punctuation kept or dropped, HTML breaks and entities, Unicode letters, empty input.
namespace Mtl.Data.Tests;

public class TokenizerTests
{
    private static readonly Tokenizer Default = new();

    [Fact]
    public void LowercasesAndSplitsPunctuationIntoSingleTokens()
    {
        Assert.Equal(["wow", "!", "!", "a", "great", ",", "great", "film", "."], Default.Tokenize("WOW!! A great, Great film."));
        Assert.Equal(["10", "/", "10", "-", "see", "it", "(", "twice", ")"], Default.Tokenize("10/10 - see it (twice)"));
    }

    [Fact]
    public void DropsPunctuationWhenAsked()
    {
        var t = new Tokenizer(new TokenizerOptions { KeepPunctuation = false });
        Assert.Equal(["wow", "a", "great", "great", "film"], t.Tokenize("WOW!! A great, Great film."));
        Assert.Empty(t.Tokenize("?! ... --"));
    }

    [Fact]
    public void ApostrophesInsideWordsStay()
    {
        Assert.Equal(["i", "didn't", "like", "'", "it", "'"], Default.Tokenize("I didn't like 'it'"));
        Assert.Equal(["l’été", "rock'n'roll"], Default.Tokenize("L’été rock'n'roll"));
        Assert.Equal(["dogs", "'"], Default.Tokenize("dogs'"));
    }

    [Fact]
    public void StripsHtmlBreaksTagsAndDecodesEntities()
    {
        Assert.Equal(["great", ".", "really", "great", "."], Default.Tokenize("Great.<br /><br />Really <i>great</i>."));
        Assert.Equal(["one", "two"], Default.Tokenize("one<br>two"));
        Assert.Equal(["a", "&", "b", "'", "c", "'"], Default.Tokenize("a &amp; b &#39;c&#39;"));
        Assert.Equal(["a", "<", "b", "and", "c", ">", "d"], Default.Tokenize("a < b and c > d"));   // not tags
        Assert.Equal(["x"], Default.Tokenize("&lt;b&gt;x&lt;/b&gt;"));                          // escaped tags, as in AG News
        var keep = new Tokenizer(new TokenizerOptions { StripHtml = false });
        Assert.Equal(["a", "<", "br", "/", ">", "b"], keep.Tokenize("a<br />b"));
    }

    [Fact]
    public void UnicodeLettersDigitsAndMarksFormWords()
    {
        Assert.Equal(["école", "ελλάδα", "москва", "東京タワー", "٣٤"], Default.Tokenize("ÉCOLE ΕΛΛΆΔΑ Москва 東京タワー ٣٤"));
        Assert.Equal(["cafe\u0301", "!"], Default.Tokenize("CAFE\u0301!"));          // combining acute accent stays in the word
        Assert.Equal(["fun", "😀", "😀"], Default.Tokenize("fun😀😀"));             // a surrogate pair is one token
        Assert.Equal(["a", "b"], Default.Tokenize("a\u00a0\tb\u2003"));               // Unicode spaces separate
    }

    [Fact]
    public void CaseIsKeptWhenLowercaseIsOff()
    {
        var t = new Tokenizer(new TokenizerOptions { Lowercase = false });
        Assert.Equal(["Hello", "World", "!"], t.Tokenize("Hello World!"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("<br /><br />")]
    public void EmptyAndBlankTextGiveNoTokens(string text) => Assert.Empty(Default.Tokenize(text));
}
