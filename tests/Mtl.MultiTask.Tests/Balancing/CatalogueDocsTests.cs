// Keeps docs/balancing.md honest: its catalogue table has one row per registered strategy, and no row for a strategy that does not exist.
using System.Text.RegularExpressions;
using Mtl.MultiTask.Balancing;

namespace Mtl.MultiTask.Tests.Balancing;

public partial class CatalogueDocsTests
{
    [GeneratedRegex(@"^\| `([a-z0-9-]+)` \|", RegexOptions.Multiline)]
    private static partial Regex RowName();

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Mtl.sln"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"no Mtl.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void The_catalogue_lists_exactly_the_registered_strategies()
    {
        var text = File.ReadAllText(RepoFile("docs/balancing.md"));
        var documented = RowName().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
        var registered = StrategyRegistry.All.Select(s => s.Name).ToHashSet();
        Assert.True(registered.SetEquals(documented),
            $"docs/balancing.md catalogue differs from the registry: missing [{string.Join(", ", registered.Except(documented))}], " +
            $"unknown [{string.Join(", ", documented.Except(registered))}] (regenerate with `dotnet run -c Release --project bench/Mtl.Bench -- strategy-catalogue`)");
    }
}
