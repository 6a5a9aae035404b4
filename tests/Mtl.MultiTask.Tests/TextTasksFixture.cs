// The multi-input text problem of the tests: sentiment on the IMDB-style fixture, topic on the AG-News-style one, one shared LSTM.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Encoders;
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Tests;

/// <summary>The committed text fixtures encoded with one vocabulary, and a fresh hard-sharing model over them.</summary>
internal sealed record TextTasksFixture(MultiInputTasks Train, MultiInputTasks Test, MultiTaskModel Model, int VocabularySize)
{
    /// <summary>
    /// Reads the fixtures (150 / 50 reviews, 320 / 80 articles), builds one vocabulary from the training texts only
    /// (min frequency 2) and one padded length for both corpora (the longest review has 90 tokens), and a hard-sharing
    /// model on an Embedding(32) + LSTM(32) trunk with linear heads, all initial parameters from generator 7.
    /// </summary>
    public static TextTasksFixture Build()
    {
        string text = Path.Combine(Samples.DataDirectory, "text");
        var tokenizer = new Tokenizer();
        var imdbTrain = ImdbReader.Read(Path.Combine(text, "aclImdb"), "train");                 // 150 reviews
        var imdbTest = ImdbReader.Read(Path.Combine(text, "aclImdb"), "test");                   //  50
        var agTrain = AgNewsReader.Read(Path.Combine(text, "ag_news_csv", "train.csv"));         // 320 articles
        var agTest = AgNewsReader.Read(Path.Combine(text, "ag_news_csv", "test.csv"));           //  80
        var vocab = Vocabulary.Build(imdbTrain.Texts.Concat(agTrain.Texts).Select(tokenizer.Tokenize), minFrequency: 2);
        const int maxLength = 96;
        TextDataset Encode(TextCorpus c) => TextDataset.Encode(c, tokenizer, vocab, maxLength);
        var train = new MultiInputTasks(("sentiment", Encode(imdbTrain)), ("topic", Encode(agTrain)));
        var test = new MultiInputTasks(("sentiment", Encode(imdbTest)), ("topic", Encode(agTest)));

        var g = new Generator(7);
        var trunk = TextEncoder.Trunk(vocab.Count, maxLength, new TextEncoderOptions { EmbeddingDim = 32, HiddenSize = 32 }, g);
        TaskSpec[] tasks =
        [
            new("sentiment", TaskKind.Classification, 2) { Head = w => new Linear(w, 2, generator: g) },
            new("topic", TaskKind.Classification, 4) { Head = w => new Linear(w, 4, generator: g) },
        ];
        return new TextTasksFixture(train, test, ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, trunk)), vocab.Count);
    }
}
