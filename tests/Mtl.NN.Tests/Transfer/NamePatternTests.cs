// NamePattern: globs match whole dotted names ('*' crosses dots), "re:" patterns are anchored regular expressions.
using Mtl.NN.Transfer;

namespace Mtl.NN.Tests.Transfer;

public class NamePatternTests
{
    [Theory]
    [InlineData("encoder.*", "encoder.0.weight", true)]
    [InlineData("encoder.*", "encoder", false)]
    [InlineData("encoder.*", "my.encoder.0.weight", false)]
    [InlineData("heads.*.0.*", "heads.a.0.weight", true)]
    [InlineData("heads.*.0.*", "heads.a.1.weight", false)]
    [InlineData("*.bias", "encoder.0.bias", true)]
    [InlineData("encoder.?.weight", "encoder.3.weight", true)]
    [InlineData("encoder.?.weight", "encoder.10.weight", false)]
    [InlineData("re:encoder\\.[0-1]\\..*", "encoder.1.weight", true)]
    [InlineData("re:encoder\\.[0-1]\\..*", "encoder.2.weight", false)]
    [InlineData("re:weight", "encoder.0.weight", false)]   // anchored: the whole name must match
    [InlineData("re:.*weight", "encoder.0.weight", true)]
    public void Matches_whole_names(string pattern, string name, bool expected) =>
        Assert.Equal(expected, NamePattern.Parse(pattern).IsMatch(name));

    [Fact]
    public void A_bad_regex_names_the_pattern()
    {
        var e = Assert.Throws<ArgumentException>(() => NamePattern.Parse("re:("));
        Assert.Contains("'re:('", e.Message);
    }
}
