// The three models of the `compare` benchmark: data, Mtl model + optimiser, reference script, and analytic FLOPs.
using System.Globalization;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Encoders;
using Mtl.MultiTask.Tasks;
using Mtl.NN;
using Mtl.NN.Optim;

namespace Mtl.Bench;

/// <summary>
/// One `compare` model. FLOPs per training sample count the multiply-adds of the matrix products and convolutions only
/// (2 FLOPs each; element-wise work, pooling, softmax and the optimiser are left out), forward once and backward as
/// twice the forward (input gradient + weight gradient), so training = 3 × forward.
/// </summary>
internal sealed record CompareCase(
    string Name, string Script, int Batch, string Optimizer, double Lr, double Momentum, string Config,
    long ForwardMacsPerSample, string MacsNote, Func<bool, CompareData?> LoadData, Func<ulong, (MultiTaskModel Model, Optimizer Opt)> Build)
{
    /// <summary>Training FLOPs per sample: 2 per multiply-add, × 3 for forward + backward.</summary>
    public double TrainFlopsPerSample => 2.0 * 3.0 * ForwardMacsPerSample;

    /// <summary>Arguments of the reference script besides --data and --threads.</summary>
    public IEnumerable<string> ScriptArgs(ulong seed) =>
        ["--batch", $"{Batch}", "--lr", Lr.ToString("R", CultureInfo.InvariantCulture), "--momentum", Momentum.ToString("R", CultureInfo.InvariantCulture), "--seed", $"{seed}"];

    public static CompareCase[] All { get; } = [Lenet(), Mmoe(), Lstm()];

    /// <summary>LeNet hard sharing on MultiFashion: two 10-way heads, batch 256, SGD lr 0.01 momentum 0.9.</summary>
    private static CompareCase Lenet() => new("lenet", "compare_lenet.py", 256, "sgd", 0.01, 0.9, "bench/configs/compare-lenet.yaml",
        // conv1 10·24·24·(1·5·5) + conv2 20·8·8·(10·5·5) + Linear 320·50 + heads 2·50·10
        10 * 24 * 24 * 25 + 20 * 8 * 8 * 250 + 320 * 50 + 2 * 50 * 10,
        "conv1 10x24x24x25 + conv2 20x8x8x250 + fc 320x50 + heads 2x50x10",
        quick =>
        {
            var pairs = MultiFashionPairs.Build(quick);
            if (pairs is null) return null;
            int train = Math.Min(pairs.Train.Count, quick ? 2_000 : 256 * 40), eval = Math.Min(pairs.Test.Count, 2_000);
            return new CompareData(Split(pairs.Train, train, MultiFashionPairs.Tasks), Split(pairs.Test, eval, MultiFashionPairs.Tasks),
                [1, 28, 28], MultiFashionPairs.Tasks, pairs.Source);
        },
        seed =>
        {
            var model = BenchModels.LeNetHard(BenchModels.FashionTasks(MultiFashionPairs.Tasks), seed);
            return (model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.01, Momentum = 0.9 }));
        });

    private static readonly string[] MmoeTaskNames = ["task1", "task2"];

    /// <summary>MMoE, 8 experts Linear(100→16)+ReLU, two softmax gates, towers 16→8→1, batch 128, Adam 1e-3.</summary>
    private static CompareCase Mmoe() => new("mmoe", "compare_mmoe.py", 128, "adam", 1e-3, 0, "bench/configs/compare-mmoe.yaml",
        // experts 8·100·16 + gates 2·100·8 + mixing 2·8·16 + towers 2·(16·8 + 8·1)
        8 * 100 * 16 + 2 * 100 * 8 + 2 * 8 * 16 + 2 * (16 * 8 + 8),
        "experts 8x100x16 + gates 2x100x8 + mix 2x8x16 + towers 2x(16x8+8)",
        quick =>
        {
            int train = quick ? 128 * 40 : 128 * 400, eval = 2_000;
            var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions
            {
                Count = train + eval, Dim = BenchModels.MmoeDim, Correlation = 0.5, SinTerms = 10, Seed = 0,
            }).Dataset;
            return new CompareData(Split(data, 0, train, MmoeTaskNames), Split(data, train, eval, MmoeTaskNames), [BenchModels.MmoeDim], MmoeTaskNames,
                $"SyntheticCorrelatedTasks d=100, m=10, p=0.5, seed 0: {train} train / {eval} eval");
        },
        seed =>
        {
            var model = BenchModels.Mmoe(BenchModels.MmoeTasks(MmoeTaskNames), seed);
            return (model, new Adam(model.Parameters(), new AdamOptions { Lr = 1e-3 }));
        });

    /// <summary>Vocabulary, embedding width, hidden width and sequence length of the LSTM model.</summary>
    public const int Vocab = 20_000, EmbeddingDim = 128, Hidden = 128, SeqLength = 200;

    /// <summary>Embedding(20000,128) → LSTM(128) → last hidden → heads 2-way and 4-way, batch 64, length 200, Adam 1e-3.</summary>
    private static CompareCase Lstm() => new("lstm", "compare_lstm.py", 64, "adam", 1e-3, 0, "bench/configs/compare-lstm.yaml",
        // LSTM 200 steps · 4H·(E + H) + heads 128·(2 + 4); the embedding is a lookup
        (long)SeqLength * 4 * Hidden * (EmbeddingDim + Hidden) + Hidden * 6,
        "LSTM 200x4x128x(128+128) + heads 128x6",
        quick =>
        {
            int train = quick ? 64 * 8 : 64 * 64, eval = 512;
            var data = SyntheticTokenTasks.Generate(new SyntheticTokenOptions { Count = train + eval, VocabularySize = Vocab, Length = SeqLength, Seed = 0 });
            return new CompareData(Split(data, 0, train, SyntheticTokenTasks.TaskNames), Split(data, train, eval, SyntheticTokenTasks.TaskNames),
                [SeqLength], SyntheticTokenTasks.TaskNames, $"SyntheticTokenTasks V=20000, length 200, seed 0: {train} train / {eval} eval");
        },
        seed =>
        {
            Init.ManualSeed(seed);
            var tasks = SyntheticTokenTasks.TaskNames.Zip(SyntheticTokenTasks.Classes, (t, c) => new TaskSpec(t, TaskKind.Classification, c)).ToArray();
            var trunk = TextEncoder.Trunk(Vocab, SeqLength, new TextEncoderOptions { EmbeddingDim = EmbeddingDim, HiddenSize = Hidden });
            var model = ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, trunk));
            return (model, new Adam(model.Parameters(), new AdamOptions { Lr = 1e-3 }));
        });

    private static CompareSplit Split(IMultiTaskDataset data, int count, string[] tasks) => Split((InMemoryDataset)data, 0, count, tasks);

    /// <summary>Samples [start, start + count) of an in-memory dataset as flat arrays (labels sample-major, task order).</summary>
    private static CompareSplit Split(InMemoryDataset data, int start, int count, string[] tasks)
    {
        int size = data.SampleSize;
        float[]? x = data.Input.DType == DType.Float32 ? data.Inputs.Span.Slice(start * size, count * size).ToArray() : null;
        int[]? tokens = data.Input.DType == DType.Int32 ? data.Tokens.Span.Slice(start * size, count * size).ToArray() : null;
        var columns = tasks.Select(t => data.Columns.First(c => c.Name == t)).ToArray();
        bool classes = columns[0].ClassValues is not null;
        var yi = classes ? new int[count * tasks.Length] : null;
        var yf = classes ? null : new float[count * tasks.Length];
        for (int i = 0; i < count; i++)
            for (int t = 0; t < tasks.Length; t++)
            {
                if (classes) yi![i * tasks.Length + t] = columns[t].ClassValues![start + i];
                else yf![i * tasks.Length + t] = columns[t].FloatValues![start + i];
            }
        return new CompareSplit(count, x, tokens, yf, yi);
    }
}
