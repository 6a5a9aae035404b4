// Training new heads on a frozen encoder's cached outputs equals training them through the frozen model, at a fraction of the work.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.MultiTask.Transfer;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.NN.Transfer;

namespace Mtl.MultiTask.Tests.Transfer;

public class EncodedDatasetTests
{
    private static readonly InMemoryDataset Data =
        SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 600, Dim = 20, Correlation = 0.9, SinTerms = 2, Seed = 8 }).Dataset;

    private static TaskSpec[] Tasks(Generator g) => LearningHarness.SyntheticTasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
    { Head = w => new Linear(w, 1, generator: g) }).ToArray();

    private static Sequential Encoder() => new(new Linear(20, 12, generator: new Generator(4)), new ReLU());

    [Fact]
    public void Each_sample_holds_the_encoders_output_and_the_sources_labels()
    {
        var encoder = Encoder();
        var encoded = EncodedDataset.Create(encoder, Data, batchSize: 64);
        Assert.Equal((Data.Count, 12), (encoded.Count, encoded.Width));
        Assert.Equal([12], encoded.Input.Shape);
        Assert.True(encoder.Training);                                            // mode restored
        using var noGrad = GradMode.NoGrad();
        var expected = encoder.Forward(Tensor.From(Data.AllInputs().AsSpan(), Data.Count, 20)).ToArray<float>();
        var row = new float[12];
        var label = new float[1];
        var sourceLabel = new float[1];
        foreach (int i in new[] { 0, 63, 64, 599 })
        {
            encoded.ReadInput(i, row);
            Assert.Equal(expected.AsSpan(i * 12, 12).ToArray(), row);
            Assert.True(encoded.ReadLabel(i, 1, label) & Data.ReadLabel(i, 1, sourceLabel));
            Assert.Equal(sourceLabel, label);
        }
        var tiny = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 4, Dim = 3 }).Dataset;
        var bad = Assert.Throws<ArgumentException>(() => EncodedDataset.Create(new Identity(), new Reshaped(tiny)));
        Assert.Contains("the encoder gave (4, 1, 1, 3) for a batch of 4; expected (B, D)", bad.Message);
    }

    // The same samples declared as (1, 1, 3) images: an identity "encoder" then gives (B, 1, 1, 3), not (B, D).
    private sealed class Reshaped(IMultiTaskDataset source) : IMultiTaskDataset
    {
        public int Count => source.Count;
        public InputInfo Input => new([1, 1, 3], DType.Float32);
        public IReadOnlyList<TaskLabels> Tasks => source.Tasks;
        public int ReadInput(int index, Span<float> destination) => source.ReadInput(index, destination);
        public int ReadTokens(int index, Span<int> destination) => source.ReadTokens(index, destination);
        public bool ReadLabel(int index, int task, Span<float> destination) => source.ReadLabel(index, task, destination);
    }

    [Fact]
    public void Heads_trained_on_cached_outputs_match_heads_trained_through_the_frozen_model()
    {
        // Through the model: a frozen encoder, two new Linear heads, SGD, shuffled batches.
        var full = new HardSharing(Encoder(), 12, Tasks(new Generator(9)));
        full.FreezeMatching("encoder.*");
        using (var loader = new DataLoader(Data, new DataLoaderOptions { BatchSize = 50, Shuffle = true, Seed = 2 }))
            new MultiTaskTrainer(full, new SGD(full.Parameters(), new SGDOptions { Lr = 0.05 }), new TrainerOptions { Epochs = 3 }).Fit(loader);

        // On the cached outputs: the same heads (same initial values, same batches) over an identity encoder.
        var frozenEncoder = Encoder();
        var heads = new HardSharing(new Identity(), 12, Tasks(new Generator(9)));
        var encoded = EncodedDataset.Create(frozenEncoder, Data);
        using (var loader = new DataLoader(encoded, new DataLoaderOptions { BatchSize = 50, Shuffle = true, Seed = 2 }))
            new MultiTaskTrainer(heads, new SGD(heads.Parameters(), new SGDOptions { Lr = 0.05 }), new TrainerOptions { Epochs = 3 }).Fit(loader);

        foreach (var (name, p) in heads.NamedParameters())
        {
            var a = p.ToArray<float>();
            var b = full.NamedParameters().Single(q => q.Name == name).Parameter.ToArray<float>();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 5);
        }
        // The heads load back into a model over the real encoder by name.
        var merged = new HardSharing(frozenEncoder, 12, Tasks(new Generator(1)));
        var report = WeightTransfer.Load(merged, heads.StateDict(), new NameMap().Only("heads.*"), strict: false);
        Assert.Equal(4, report.Loaded.Count);
    }
}
