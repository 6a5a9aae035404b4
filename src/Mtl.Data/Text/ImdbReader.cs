// Reads the IMDB movie-review corpus in its aclImdb folder layout: sentiment from the folder, rating from the file name.
using System.Globalization;

namespace Mtl.Data;

/// <summary>What to do with the star rating in IMDB file names.</summary>
public enum ImdbRatingTask
{
    /// <summary>Ignore it: one task, sentiment.</summary>
    None,
    /// <summary>A second task regressing the rating (1..10) as a float.</summary>
    Regression,
    /// <summary>A second task classifying the rating into 10 classes (class = rating − 1).</summary>
    Classification,
}

/// <summary>Options of <see cref="ImdbReader"/>.</summary>
public sealed record ImdbOptions
{
    /// <summary>Name of the sentiment task (classes neg = 0, pos = 1).</summary>
    public string SentimentTask { get; init; } = "sentiment";

    /// <summary>Whether the rating becomes a second task.</summary>
    public ImdbRatingTask Rating { get; init; } = ImdbRatingTask.None;

    /// <summary>Name of the rating task, when there is one.</summary>
    public string RatingTask { get; init; } = "rating";

    /// <summary>Read at most this many reviews per sentiment folder (the lowest ids), e.g. for quick runs; null = all.</summary>
    public int? MaxPerClass { get; init; }
}

/// <summary>
/// Reads <c>{root}/{split}/{neg|pos}/{id}_{rating}.txt</c> (the layout of Maas et al.'s <c>aclImdb_v1.tar.gz</c>;
/// the root may be the <c>aclImdb</c> folder or the folder holding it). Every file is one review,
/// read as strict UTF-8; label sentiment = 0 for <c>neg</c>, 1 for <c>pos</c>. Other folders (<c>unsup</c>) and
/// files (<c>urls_*.txt</c>, <c>*.feat</c>) are ignored. Reviews come in a fixed order: neg then pos, each by
/// ascending id. The real corpus is not downloadable here; the repository's <c>data/text/aclImdb</c> holds a small
/// synthetic stand-in with the same layout.
/// </summary>
public static class ImdbReader
{
    /// <summary>Sentiment class names: index 0 = "neg", 1 = "pos".</summary>
    public static IReadOnlyList<string> SentimentClasses { get; } = ["neg", "pos"];

    /// <summary>Reads split <paramref name="split"/> ("train" or "test") under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The split or a pos/neg folder is missing (the message names the path).</exception>
    /// <exception cref="DataFileException">A file name is not <c>{id}_{rating}.txt</c> with rating 1..10, a review is
    /// empty, or a file is not valid UTF-8 (the message names the file).</exception>
    public static TextCorpus Read(string root, string split, ImdbOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(split);
        options ??= new ImdbOptions();
        if (options.MaxPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(options), $"imdb: MaxPerClass must be >= 1, got {options.MaxPerClass}");
        if (!Directory.Exists(Path.Combine(root, split)) && Directory.Exists(Path.Combine(root, "aclImdb", split)))
            root = Path.Combine(root, "aclImdb");
        var tasks = new List<TaskLabels> { new(options.SentimentTask, LabelKind.ClassIndex, 2, 1, SentimentClasses) };
        if (options.Rating == ImdbRatingTask.Regression) tasks.Add(new(options.RatingTask, LabelKind.FloatVector, 0));
        if (options.Rating == ImdbRatingTask.Classification)
            tasks.Add(new(options.RatingTask, LabelKind.ClassIndex, 10, 1, [.. Enumerable.Range(1, 10).Select(r => r.ToString(CultureInfo.InvariantCulture))]));
        var corpus = new TextCorpus(tasks);
        for (int label = 0; label < 2; label++)
        {
            string dir = Path.Combine(root, split, SentimentClasses[label]);
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException(
                    $"imdb: folder '{dir}' not found; expected the aclImdb layout {{root}}/{{train|test}}/{{pos|neg}}/{{id}}_{{rating}}.txt " +
                    "(unpack aclImdb_v1.tar.gz from https://ai.stanford.edu/~amaas/data/sentiment/ and pass the aclImdb folder)");
            var files = Directory.GetFiles(dir, "*.txt").Select(f => (Path: f, Name: ParseName(f))).OrderBy(f => f.Name.Id)
                .ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new DataFileException(dir, null, null, "the folder holds no review files; expected {id}_{rating}.txt files");
            if (options.MaxPerClass is { } max) files = files.Take(max).ToList();
            foreach (var (path, (_, rating)) in files)
            {
                string text = StrictUtf8.ReadAllText(path, "imdb");
                if (string.IsNullOrWhiteSpace(text))
                    throw new DataFileException(path, null, null, "the review file is empty; expected the text of one review");
                float? second = options.Rating switch
                {
                    ImdbRatingTask.Regression => rating,
                    ImdbRatingTask.Classification => rating - 1,
                    _ => null,
                };
                if (options.Rating == ImdbRatingTask.None) corpus.Add(text, path, null, label);
                else corpus.Add(text, path, null, label, second);
            }
        }
        return corpus;
    }

    // "{id}_{rating}.txt" → (id, rating); ids are non-negative integers, ratings 1..10.
    private static (long Id, int Rating) ParseName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        int sep = name.LastIndexOf('_');
        if (sep > 0 && long.TryParse(name.AsSpan(0, sep), NumberStyles.None, CultureInfo.InvariantCulture, out long id)
            && int.TryParse(name.AsSpan(sep + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int rating))
        {
            if (rating is >= 1 and <= 10) return (id, rating);
            throw new DataFileException(path, null, null, $"the file name gives rating {rating}; expected a rating from 1 to 10 ({{id}}_{{rating}}.txt)");
        }
        throw new DataFileException(path, null, null,
            $"the file name {DataFileException.Quote(Path.GetFileName(path))} does not match {{id}}_{{rating}}.txt (e.g. 123_8.txt)");
    }
}
