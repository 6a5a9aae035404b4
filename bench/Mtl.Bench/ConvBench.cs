// Benchmark `conv`: LeNet-sized conv2d and 2×2 max-pool layers, forward and forward+backward, time and managed bytes.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mtl.Kernels;
using Mtl.Storage;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Times conv2d (batch 256: 1→10 channels 5×5 on 28×28, 10→20 channels 5×5 on 12×12) and the 2×2 max pool after each,
/// on 1 and 2 threads. Each call runs inside its own TensorScope so buffers are pooled; the managed bytes one steady
/// forward+backward call allocates are read with GC.GetAllocatedBytesForCurrentThread. conv1's input does not require
/// grad (it is the image batch); every other layer's input does. Also times the im2col+GEMM path for comparison and,
/// when python3 can import torch, the same layers in PyTorch.
/// </summary>
internal sealed class ConvBench : IBenchmark
{
    public string Name => "conv";
    public string Description => "conv2d + max_pool2d forward/backward on LeNet-sized layers (ms, bytes/call)";

    private sealed record Layer(string Name, int[] InputShape, bool InputGrad, Func<Tensor, Tensor[], Tensor> Op, int[][] ParamShapes);

    private sealed record Row(string Layer, int Threads, string Algo, double ForwardMs, double ForwardBackwardMs, long AllocBytes,
        double ForwardMinMs, double ForwardBackwardMinMs);

    private static Layer[] Layers() =>
    [
        new("conv1 1->10 5x5 28x28", [256, 1, 28, 28], false, (x, p) => x.Conv2d(p[0], p[1]), [[10, 1, 5, 5], [10]]),
        new("pool1 2x2 (10,24,24)", [256, 10, 24, 24], true, (x, _) => x.MaxPool2d(2, 2, 2, 2), []),
        new("conv2 10->20 5x5 12x12", [256, 10, 12, 12], true, (x, p) => x.Conv2d(p[0], p[1]), [[20, 10, 5, 5], [20]]),
        new("pool2 2x2 (20,8,8)", [256, 20, 8, 8], true, (x, _) => x.MaxPool2d(2, 2, 2, 2), []),
    ];

    public int Run(BenchOptions options)
    {
        int reps = options.Quick ? 5 : 20, warmup = options.Quick ? 2 : 5;
        int savedThreads = MtlThreads.Count;
        var rows = new List<Row>();
        var alternatives = new List<Row>();
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                MtlThreads.Count = threads;
                // Extra arguments select layers by name fragment (e.g. `conv --quick conv2`).
                foreach (var layer in Layers().Where(l => options.Args.Count == 0 || options.Args.Any(a => l.Name.Contains(a, StringComparison.Ordinal))))
                {
                    rows.Add(Measure(layer, threads, "auto", warmup, reps));
                    if (!layer.Name.StartsWith("conv", StringComparison.Ordinal)) continue;
                    ConvKernels.Preferred = ConvAlgorithm.Im2ColGemm;
                    try { alternatives.Add(Measure(layer, threads, "im2col+gemm", 1, options.Quick ? 2 : 5)); }
                    finally { ConvKernels.Preferred = ConvAlgorithm.Auto; }
                }
            }
        }
        finally { MtlThreads.Count = savedThreads; }

        var torch = TorchTimes(options.Quick);
        PrintTable(rows, alternatives, torch);
        if (options.Json) Console.WriteLine(Json(rows, alternatives, torch));
        return 0;
    }

    private static Row Measure(Layer layer, int threads, string algo, int warmup, int reps)
    {
        var gen = new Generator(42);
        var x = Tensor.RandN(layer.InputShape, gen).Keep();
        if (layer.InputGrad) x.RequiresGrad = true;
        var ps = layer.ParamShapes.Select(s => Tensor.RandN(s, gen, std: 0.1).Keep().RequireGrad()).ToArray();
        Tensor gy;
        using (var _ = TensorScope.Begin()) gy = Tensor.RandN(layer.Op(x.Detach(), ps.Select(p => p.Detach()).ToArray()).Shape, gen).Keep();

        double Forward()
        {
            using var scope = TensorScope.Begin();
            long t0 = Stopwatch.GetTimestamp();
            layer.Op(x, ps);
            return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        double ForwardBackward() => ForwardBackwardCounting(out _);
        double ForwardBackwardCounting(out long allocated)
        {
            using var scope = TensorScope.Begin();
            long before = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            layer.Op(x, ps).Backward(gy);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return ms;
        }

        // Warm up by count and time, so tiered JIT has promoted the kernels before anything is measured.
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < warmup || (warm.ElapsedMilliseconds < 1500 && i < 40); i++) { Forward(); ForwardBackward(); }
        var f = new double[reps];
        var fb = new double[reps];
        for (int i = 0; i < reps; i++) f[i] = Forward();
        for (int i = 0; i < reps; i++) fb[i] = ForwardBackward();
        ForwardBackwardCounting(out long alloc); // managed bytes of one steady call, inside its scope
        return new Row(layer.Name, threads, algo, Median(f), Median(fb), alloc, f.Min(), fb.Min());
    }

    private static double Median(double[] v)
    {
        var s = v.OrderBy(d => d).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    private static void PrintTable(List<Row> rows, List<Row> alternatives, Dictionary<(string, int), (double F, double FB)>? torch)
    {
        Console.WriteLine("conv benchmark: batch 256, median (and min) ms per call, managed bytes per steady forward+backward call");
        Console.WriteLine($"{"layer",-24} {"thr",3} {"algo",-12} {"fwd ms",9} {"(min)",7} {"fwd+bwd ms",11} {"(min)",7} {"alloc B",8} {"torch fwd",10} {"torch f+b",10} {"mtl/torch",10}");
        foreach (var r in rows.Concat(alternatives))
        {
            string tf = "", tfb = "", ratio = "";
            if (torch is not null && r.Algo == "auto" && torch.TryGetValue((r.Layer, r.Threads), out var t))
            {
                tf = t.F.ToString("F2", CultureInfo.InvariantCulture);
                tfb = t.FB.ToString("F2", CultureInfo.InvariantCulture);
                ratio = (r.ForwardBackwardMs / t.FB).ToString("F2", CultureInfo.InvariantCulture) + "x";
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Layer,-24} {r.Threads,3} {r.Algo,-12} {r.ForwardMs,9:F2} {r.ForwardMinMs,7:F2} {r.ForwardBackwardMs,11:F2} {r.ForwardBackwardMinMs,7:F2} {r.AllocBytes,8} {tf,10} {tfb,10} {ratio,10}"));
        }
        if (torch is null) Console.WriteLine("PyTorch comparison skipped: no python3 can import torch (apt-get install python3-torch).");
    }

    private static string Json(List<Row> rows, List<Row> alternatives, Dictionary<(string, int), (double F, double FB)>? torch)
    {
        static string RowJson(Row r) => string.Create(CultureInfo.InvariantCulture,
            $"{{\"layer\":\"{r.Layer}\",\"threads\":{r.Threads},\"algo\":\"{r.Algo}\",\"forward_ms\":{r.ForwardMs:F4},\"forward_backward_ms\":{r.ForwardBackwardMs:F4},\"alloc_bytes_per_call\":{r.AllocBytes},\"forward_min_ms\":{r.ForwardMinMs:F4},\"forward_backward_min_ms\":{r.ForwardBackwardMinMs:F4}}}");
        var sb = new StringBuilder("{\"rows\":[");
        sb.Append(string.Join(",", rows.Select(RowJson)));
        sb.Append("],\"im2col_gemm_rows\":[");
        sb.Append(string.Join(",", alternatives.Select(RowJson)));
        sb.Append("],\"torch\":");
        if (torch is null) sb.Append("null");
        else
            sb.Append('[').Append(string.Join(",", torch.Select(kv => string.Create(CultureInfo.InvariantCulture,
                $"{{\"layer\":\"{kv.Key.Item1}\",\"threads\":{kv.Key.Item2},\"forward_ms\":{kv.Value.F:F4},\"forward_backward_ms\":{kv.Value.FB:F4}}}")))).Append(']');
        return sb.Append('}').ToString();
    }

    /// <summary>Times the same layers in PyTorch when python3 can import torch; null otherwise.</summary>
    private static Dictionary<(string, int), (double F, double FB)>? TorchTimes(bool quick)
    {
        const string script = """
import sys, time, statistics, torch
import torch.nn.functional as F
reps = int(sys.argv[1])
layers = [
  ("conv1 1->10 5x5 28x28", (256, 1, 28, 28), False, [(10, 1, 5, 5), (10,)], lambda x, p: F.conv2d(x, p[0], p[1])),
  ("pool1 2x2 (10,24,24)", (256, 10, 24, 24), True, [], lambda x, p: F.max_pool2d(x, 2, 2)),
  ("conv2 10->20 5x5 12x12", (256, 10, 12, 12), True, [(20, 10, 5, 5), (20,)], lambda x, p: F.conv2d(x, p[0], p[1])),
  ("pool2 2x2 (20,8,8)", (256, 20, 8, 8), True, [], lambda x, p: F.max_pool2d(x, 2, 2)),
]
for threads in (1, 2):
  torch.set_num_threads(threads)
  for name, shape, xg, pshapes, op in layers:
    x = torch.randn(shape, requires_grad=xg)
    ps = [(0.1 * torch.randn(s)).requires_grad_() for s in pshapes]
    gy = torch.randn(op(x, ps).shape)
    def fwd():
      t = time.perf_counter(); op(x, ps); return (time.perf_counter() - t) * 1e3
    def fb():
      t = time.perf_counter(); op(x, ps).backward(gy); return (time.perf_counter() - t) * 1e3
    for _ in range(3): fwd(); fb()
    f = statistics.median([fwd() for _ in range(reps)])
    b = statistics.median([fb() for _ in range(reps)])
    print(f"{name}|{threads}|{f}|{b}")
""";
        try
        {
            if (TorchPython.Interpreter is not { } python) return null;
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(quick ? "5" : "20");
            using var p = Process.Start(psi);
            if (p is null) return null;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(300_000)) { p.Kill(); return null; }
            if (p.ExitCode != 0) return null;
            var result = new Dictionary<(string, int), (double, double)>();
            foreach (var line in stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Trim().Split('|');
                if (parts.Length != 4) continue;
                result[(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture))] =
                    (double.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
            }
            return result.Count > 0 ? result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3
        }
    }
}
