// Benchmark `rnn`: the reference LSTM model's training step (fused vs per-step ops), a GRU, and a transformer encoder layer.
using System.Diagnostics;
using System.Globalization;
using Mtl.NN;
using Mtl.Storage;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Times forward+backward of the reference text model: Embedding(20000, 128) → LSTM(128) (batch-first, random lengths
/// in [T/2, T]) → h_n → Linear(128, 2), batch 64, length 200 (50 with --quick), with the fused recurrence and with the
/// per-step op chain; the same for a GRU, and for TransformerEncoderLayer(128, 4, 512) with a padding mask. Each step
/// runs inside a TensorScope. Extra arguments pick cases by name fragment (e.g. `rnn --quick lstm`).
/// </summary>
internal sealed class RnnBench : IBenchmark
{
    public string Name => "rnn";
    public string Description => "LSTM/GRU reference model and encoder layer, forward+backward ms per batch";

    private sealed record Row(string Case, int Threads, double MedianMs, double MinMs, double TokensPerSecond);

    public int Run(BenchOptions options)
    {
        int steps = options.Quick ? 50 : 200, batch = 64, reps = options.Quick ? 3 : 7;
        var cases = new (string Name, Func<Func<double>> Make)[]
        {
            ("lstm fused", () => Recurrent(true, true, steps, batch)),
            ("lstm composed", () => Recurrent(true, false, steps, batch)),
            ("gru fused", () => Recurrent(false, true, steps, batch)),
            ("gru composed", () => Recurrent(false, false, steps, batch)),
            ("encoder", () => Encoder(steps, batch)),
        };
        int saved = MtlThreads.Count;
        var rows = new List<Row>();
        try
        {
            foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
            {
                MtlThreads.Count = threads;
                foreach (var (name, make) in cases.Where(c => options.Args.Count == 0 || options.Args.Any(a => c.Name.Contains(a, StringComparison.Ordinal))))
                {
                    var step = make();
                    step(); // warm-up (JIT, pool)
                    var times = Enumerable.Range(0, reps).Select(_ => step()).OrderBy(t => t).ToArray();
                    double median = times[reps / 2];
                    rows.Add(new Row(name, threads, median, times[0], batch * steps / (median / 1000)));
                    Console.WriteLine($"{name,-14} threads={threads,2}  {median,9:F1} ms  (min {times[0]:F1})  {rows[^1].TokensPerSecond,10:F0} tokens/s");
                }
            }
        }
        finally { MtlThreads.Count = saved; }
        if (options.Json)
            Console.WriteLine("{\"rnn\":[" + string.Join(",", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{{\"case\":\"{r.Case}\",\"threads\":{r.Threads},\"median_ms\":{r.MedianMs:F2},\"min_ms\":{r.MinMs:F2},\"tokens_per_s\":{r.TokensPerSecond:F0}}}"))) + "]}");
        return 0;
    }

    /// <summary>One timed training step of Embedding → LSTM/GRU → Linear on h_n.</summary>
    private static Func<double> Recurrent(bool lstm, bool fused, int steps, int batch)
    {
        var g = new Generator(1);
        var emb = new Embedding(20000, 128, generator: g);
        RecurrentBase rnn = lstm ? new LSTM(128, 128, batchFirst: true, generator: g) : new GRU(128, 128, batchFirst: true, generator: g);
        rnn.UseFusedKernel = fused;
        var head = new Linear(128, 2, generator: g);
        var tokens = Tensor.From(Enumerable.Range(0, batch * steps).Select(_ => g.NextInt(20000)).ToArray(), batch, steps).Keep();
        var lengths = Enumerable.Range(0, batch).Select(_ => steps / 2 + g.NextInt(steps / 2 + 1)).ToArray();
        return () =>
        {
            using var scope = TensorScope.Begin();
            long t0 = Stopwatch.GetTimestamp();
            var x = emb.Forward(tokens);                                   // (B, T, 128)
            var r = lstm ? ((LSTM)rnn).Forward(x, lengths: lengths) : ((GRU)rnn).Forward(x, lengths: lengths);
            head.Forward(r.HiddenState.Select(0, 0)).Square().Mean().Backward();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            foreach (var m in new Module[] { emb, rnn, head }) m.ZeroGrad();
            return ms;
        };
    }

    /// <summary>One timed forward+backward of a post-norm encoder layer (eval mode: no dropout) with a padding mask.</summary>
    private static Func<double> Encoder(int steps, int batch)
    {
        var g = new Generator(2);
        var enc = new TransformerEncoderLayer(128, 4, 512, batchFirst: true, generator: g);
        enc.Eval();
        var x = Tensor.RandN([batch, steps, 128], g).Keep().RequireGrad();
        var padBits = new int[batch * steps];
        for (int b = 0; b < batch; b++)
            for (int t = steps / 2 + g.NextInt(steps / 2 + 1); t < steps; t++) padBits[b * steps + t] = 1;
        var pad = Tensor.From(padBits, batch, steps).Keep();
        return () =>
        {
            using var scope = TensorScope.Begin();
            long t0 = Stopwatch.GetTimestamp();
            enc.Forward(x, pad).Square().Mean().Backward();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            enc.ZeroGrad();
            x.Grad = null;
            return ms;
        };
    }
}
