// The text encoder (shape, padding, gradients, trunk) and the multi-input text model learning IMDB- and AG-News-style fixtures.
using System.Diagnostics;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Encoders;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit.Abstractions;

namespace Mtl.MultiTask.Tests;

public class TextEncoderTests
{
    private static readonly TextEncoderOptions Small = new() { EmbeddingDim = 6, HiddenSize = 5, Dropout = 0 };

    private static Tensor Ids(params int[][] rows)
    {
        int width = rows.Max(r => r.Length);
        var flat = new int[rows.Length * width];
        for (int b = 0; b < rows.Length; b++) rows[b].CopyTo(flat, b * width);
        return Tensor.From(flat, rows.Length, width);                                            // (B, L), 0-padded
    }

    [Theory]
    [InlineData(false, 1, 5)]
    [InlineData(true, 2, 10)]
    public void Output_is_batch_by_width(bool bidirectional, int layers, int width)
    {
        var encoder = new TextEncoder(20, Small with { Bidirectional = bidirectional, Layers = layers }, new Generator(1));
        Assert.Equal(width, encoder.OutputWidth);
        var h = encoder.Forward(Ids([3, 4, 5, 0, 0, 0, 0], [7, 8, 9, 10, 11, 12, 13], [2, 0, 0, 0, 0, 0, 0]));
        Assert.Equal(new[] { 3, width }, h.ShapeArray);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void Padding_does_not_leak_into_the_representation(bool bidirectional, int layers)
    {
        var encoder = new TextEncoder(20, Small with { Bidirectional = bidirectional, Layers = layers }, new Generator(2));
        encoder.Eval();
        var alone = encoder.Forward(Ids([3, 4, 5])).ToArray<float>();                          // no padding
        var padded = encoder.Forward(Ids([3, 4, 5, 0, 0, 0, 0, 0, 0])).ToArray<float>();       // 6 padding ids
        var inBatch = encoder.Forward(Ids([3, 4, 5, 0, 0, 0, 0], [9, 8, 7, 6, 5, 4, 3])).ToArray<float>()[..alone.Length];
        for (int i = 0; i < alone.Length; i++)
        {
            Assert.Equal(alone[i], padded[i], 6);
            Assert.Equal(alone[i], inBatch[i], 6);
        }
        // Padding must not change the result, but the tokens must: a different last token gives a different state.
        var other = encoder.Forward(Ids([3, 4, 6, 0, 0])).ToArray<float>();
        Assert.NotEqual(alone, other);
    }

    [Fact]
    public void Gradient_reaches_the_embedding_rows_used_and_every_parameter()
    {
        var encoder = new TextEncoder(12, Small with { Layers = 2, Bidirectional = true }, new Generator(3));
        encoder.Forward(Ids([3, 4, 5, 0], [6, 3, 0, 0])).Square().Sum().Backward();
        foreach (var (name, p) in encoder.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} has no gradient");
            Assert.True(p.Grad!.ToArray<float>().Any(v => v != 0), $"{name}'s gradient is all zero");
        }
        var grad = encoder.Embedding.Weight.Grad!.ToArray<float>();                                // (12, 6)
        bool RowUsed(int row) => grad.AsSpan(row * 6, 6).ContainsAnyExcept(0f);
        Assert.All(new[] { 3, 4, 5, 6 }, r => Assert.True(RowUsed(r), $"embedding row {r} got no gradient"));
        Assert.All(new[] { 0, 1, 2, 7, 11 }, r => Assert.False(RowUsed(r), $"embedding row {r} (padding or unused) got a gradient"));
    }

    [Fact]
    public void Lengths_come_from_the_ids_and_misplaced_padding_is_named()
    {
        Assert.Equal(new[] { 3, 4, 0 }, TextEncoder.Lengths(Ids([3, 4, 5, 0], [1, 1, 1, 1], [0, 0, 0, 0])));
        var encoder = new TextEncoder(20, Small, new Generator(4));
        var allPadding = encoder.Forward(Ids([0, 0, 0], [0, 0, 0]));                               // length 0: the initial state
        Assert.All(allPadding.ToArray<float>(), v => Assert.Equal(0f, v));
        var gap = Assert.Throws<ArgumentException>(() => encoder.Forward(Ids([3, 4, 0], [3, 0, 7])));
        Assert.Contains("sample 1", gap.Message);
        Assert.Contains("position 1", gap.Message);
        Assert.Contains("token 7 at position 2", gap.Message);
        var floats = Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.Zeros([2, 3])));
        Assert.Contains("Int32 token ids (B, L)", floats.Message);
        var outOfRange = Assert.ThrowsAny<Exception>(() => encoder.Forward(Ids([3, 25])));
        Assert.Contains("25", outOfRange.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextEncoder(1));
        Assert.Throws<ArgumentException>(() => new TextEncoder(10, Small with { HiddenSize = 0 }));
    }

    [Fact]
    public void Trunk_takes_int_ids_of_the_padded_length_and_feeds_the_registry()
    {
        var trunk = TextEncoder.Trunk(30, 9, Small, new Generator(5));
        Assert.Equal(DType.Int32, trunk.InputDType);
        Assert.Equal(new[] { 9 }, trunk.InputShape);
        Assert.Equal(1, trunk.Depth);
        Assert.Equal(5, trunk.Width());
        var tasks = new[] { new TaskSpec("sentiment", TaskKind.Classification, 2), new TaskSpec("topic", TaskKind.Classification, 4) };
        var model = ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, trunk));
        Assert.Contains("encoder.0.embedding.weight", model.NamedParameters().Select(p => p.Name));
        var outputs = model.Forward(Ids([3, 4, 5, 0, 0, 0, 0, 0, 0], [7, 8, 9, 10, 11, 12, 13, 14, 15]));
        Assert.Equal(new[] { 2, 2 }, outputs["sentiment"].ShapeArray);
        Assert.Equal(new[] { 2, 4 }, outputs["topic"].ShapeArray);
        Assert.NotEqual(trunk.Build().Parameters().First().ToArray<float>(), trunk.Build().Parameters().First().ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => TextEncoder.Trunk(30, 0));
        // Same seed, same parameters, bit for bit.
        Assert.Equal(TextEncoder.Trunk(30, 9, Small, new Generator(6)).Build().Parameters().SelectMany(p => p.ToArray<float>()),
            TextEncoder.Trunk(30, 9, Small, new Generator(6)).Build().Parameters().SelectMany(p => p.ToArray<float>()));
    }
}

/// <summary>
/// The multi-input text model of the seeds' example: a shared Embedding + LSTM encoder with a sentiment head trained on
/// IMDB-style reviews and a topic head trained on AG-News-style articles (the committed synthetic fixtures in
/// data/text: 150 + 50 reviews, 320 + 80 articles), built and trained through the public API only.
/// </summary>
public class MultiInputTextTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("mixed")]
    [InlineData("per-task")]
    public void Shared_lstm_learns_sentiment_on_imdb_and_topic_on_ag_news(string schedule)
    {
        var clock = Stopwatch.StartNew();
        var (train, test, model, vocabulary) = TextTasksFixture.Build();   // hard sharing on Embedding + LSTM
        output.WriteLine($"data and model ready: {clock.Elapsed.TotalSeconds:F1} s, vocabulary {vocabulary}");

        // "mixed": every batch holds reviews and articles (Mixed()); each row is labelled for its own corpus' task only
        // and the trainer drops the unlabelled rows from the other task's loss. "per-task": every step takes one batch
        // of 8 reviews and one of 8 articles (the multi-input schedule); an epoch is 40 steps and the review loader
        // starts over when it runs out. Test metrics of each task come from its own corpus either way.
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = 0.01 }),
            new TrainerOptions { Epochs = 10, RestoreBest = false });
        trainer.EpochCompleted += (epoch, r) => output.WriteLine(
            $"epoch {epoch + 1}: sentiment {r.Metrics["sentiment"]["accuracy"]:F3}, topic {r.Metrics["topic"]["accuracy"]:F3} ({clock.Elapsed.TotalSeconds:F1} s)");
        var result = schedule == "mixed"
            ? trainer.Fit(new DataLoader(train.Mixed(), new DataLoaderOptions { BatchSize = 16, Shuffle = true, Seed = 8 }),
                new DataLoader(test.Mixed(), new DataLoaderOptions { BatchSize = 130 }))
            : trainer.Fit(TrainingSource.FromTaskLoaders(train.Loaders(new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 8 })),
                TrainingSource.FromTaskLoaders(test.Loaders(new DataLoaderOptions { BatchSize = 100 })));

        // The mixed recipe gave 0.88-1.00 (sentiment) and 0.91-0.94 (topic) over 8 seeds (this one: 0.92 / 0.925); a
        // bag-of-words naive Bayes gets 0.92 / 0.925 on these test files (data/text/README.md). 0.85 leaves room for
        // seed noise (one review is 0.02) and no more.
        if (schedule == "per-task") Assert.Equal(400, result.Steps);
        double sentiment = result.Metrics["sentiment"]["accuracy"], topic = result.Metrics["topic"]["accuracy"];
        Assert.True(sentiment >= 0.85, $"sentiment test accuracy {sentiment:F3} on 50 held-out reviews (chance 0.5, need >= 0.85)");
        Assert.True(topic >= 0.85, $"topic test accuracy {topic:F3} on 80 held-out articles (chance 0.25, need >= 0.85)");
    }
}
