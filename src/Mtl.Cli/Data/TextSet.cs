// The `text` dataset: multi-input sentiment (IMDB-style reviews) and topic (AG-News-style articles) from data/text.
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>How multi-input text batches are formed.</summary>
public enum TextBatching
{
    /// <summary>Every batch mixes reviews and articles; each row carries its own corpus' label only.</summary>
    Mixed,
    /// <summary>Every step takes one batch of reviews and one of articles.</summary>
    PerTask,
}

/// <summary>Options of the <c>text</c> dataset.</summary>
public sealed record TextData
{
    /// <summary>Folder holding aclImdb/ and ag_news_csv/ (null = the repository's data/text fixtures).</summary>
    public string? Directory { get; init; }

    /// <summary>Token ids per text (longer texts are cut, shorter ones padded).</summary>
    public int MaxLength { get; init; } = 96;

    /// <summary>Tokens seen fewer times in the training texts map to &lt;unk&gt;.</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>Mixed batches or one batch per task per step.</summary>
    public TextBatching Batching { get; init; } = TextBatching.Mixed;

    /// <summary>Share of each corpus' training texts held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;
}

/// <summary>Builds the <c>text</c> dataset: tasks sentiment (2 classes, reviews) and topic (4 classes, articles).</summary>
internal static class TextSet
{
    public static readonly string[] TaskNames = ["sentiment", "topic"];

    public static DataBundle Build(TextData o, ulong seed)
    {
        DataBundle.CheckFraction(o.ValidationFraction, "validation_fraction");
        string root = o.Directory ?? Path.Combine(Samples.DataDirectory, "text");
        var imdbTrain = ImdbReader.Read(Path.Combine(root, "aclImdb"), "train");
        var imdbTest = ImdbReader.Read(Path.Combine(root, "aclImdb"), "test");
        var agTrain = AgNewsReader.Read(Path.Combine(root, "ag_news_csv", "train.csv"));
        var agTest = AgNewsReader.Read(Path.Combine(root, "ag_news_csv", "test.csv"));
        var imdbCut = Cut(imdbTrain.Count, o.ValidationFraction, seed);
        var agCut = Cut(agTrain.Count, o.ValidationFraction, seed + 1);
        var tokenizer = new Tokenizer();
        // The vocabulary comes from the texts trained on only.
        var texts = imdbCut.Train.Select(i => imdbTrain.Texts[i]).Concat(agCut.Train.Select(i => agTrain.Texts[i]));
        var vocab = Vocabulary.Build(texts.Select(tokenizer.Tokenize), o.MinFrequency);
        TextDataset Encode(TextCorpus c) => TextDataset.Encode(c, tokenizer, vocab, o.MaxLength);
        var imdb = Encode(imdbTrain);
        var ag = Encode(agTrain);
        MultiInputTasks Tasks(IMultiTaskDataset s, IMultiTaskDataset t) => new(("sentiment", s), ("topic", t));
        var train = Tasks(imdb.Subset(imdbCut.Train), ag.Subset(agCut.Train));
        return new DataBundle
        {
            Tasks = train.Tasks,
            Input = imdb.Input,
            Train = new SplitData(null, train),
            Validation = o.ValidationFraction == 0 ? null : new SplitData(null, Tasks(imdb.Subset(imdbCut.Validation), ag.Subset(agCut.Validation))),
            Test = new SplitData(null, Tasks(Encode(imdbTest), Encode(agTest))),
            PerTaskSteps = o.Batching == TextBatching.PerTask,
            Tokenizer = tokenizer,
            Vocabulary = vocab,
        };
    }

    private static SplitIndices Cut(int count, double validation, ulong seed) => Splits.RandomIndices(count, 1 - validation, validation, 0, seed);
}
