// Benchmark `distill`: a half-width multi-task LeNet student on MultiFashion, hard labels alone vs distilled from single-task teachers.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Distillation;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Issue 7's distillation comparison. Data: MultiFashion pairs from the first <c>--train</c> (10,000) Fashion-MNIST
/// training images, 1,000 validation and 2,000 test pairs (<see cref="FashionSplits"/>). Teachers: one single-task
/// full-width LeNet per task (one head), trained once (seed 100) for <c>--teacher-epochs</c> (30), SGD lr 0.05 momentum
/// 0.9. Students: hard sharing over a half-width LeNet (<c>Trunk.LeNet(0.5)</c>, two heads), for each seed
/// 0..<c>--seeds</c>−1 (5) trained twice from the same initialisation and batch order — on hard labels alone, and
/// distilled (cached teacher logits) — with SGD lr <c>--lr</c> (0.02) momentum 0.9 for <c>--epochs</c> (20). (α, T) is
/// chosen among <c>--grid</c> on the validation pairs with seed 0 (or fixed by <c>--alpha</c>/<c>--temperature</c>).
/// Batch 256; evaluated after the last epoch on the test pairs. <c>--quick</c>: committed sample, 1 epoch each, 1 seed.
/// </summary>
internal sealed class DistillBench : IBenchmark
{
    public string Name => "distill";
    public string Description => "half-width MultiFashion student: hard labels vs distilled from single-task teachers (3 seeds)";

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        int seeds = BenchArgs.Int(options.Args, "--seeds", quick ? 1 : 5);
        int epochs = BenchArgs.Int(options.Args, "--epochs", quick ? 1 : 20);
        int teacherEpochs = BenchArgs.Int(options.Args, "--teacher-epochs", quick ? 1 : 30);
        int trainImages = BenchArgs.Int(options.Args, "--train", 10_000);
        double width = BenchArgs.Double(options.Args, "--width", 0.5);
        double studentLr = BenchArgs.Double(options.Args, "--lr", 0.02);   // the students' SGD learning rate (momentum 0.9)
        var distillation = new DistillationOptions
        {
            Alpha = BenchArgs.Double(options.Args, "--alpha", 0.5),
            Temperature = BenchArgs.Double(options.Args, "--temperature", 4),
        };
        // (α, T) candidates chosen among on validation pairs with seed 0 (the test pairs are never used to choose).
        var grid = (BenchArgs.Value(options.Args, "--grid") ?? (quick || options.Args.Contains("--alpha") ? "" : DefaultGrid))
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split(':') is [var a, var t] ? (Alpha: double.Parse(a, CultureInfo.InvariantCulture), Temperature: double.Parse(t, CultureInfo.InvariantCulture))
                : throw new ArgumentException($"--grid: '{c}' is not alpha:temperature")).ToArray();
        int saved = MtlThreads.Count;
        MtlThreads.Count = BenchArgs.Int(options.Args, "--threads", 2);
        try
        {
            var (train, val, test, source) = FashionSplits.Load(quick, trainImages).Pairs();
            string[] taskNames = MultiFashionPairs.Tasks;
            Console.WriteLine($"distill: {train.Count} train / {test.Count} test MultiFashion pairs ({source}); teachers LeNet ×1 single-task, " +
                $"{teacherEpochs} epochs; students LeNet ×{width.ToString(CultureInfo.InvariantCulture)} hard sharing, {epochs} epochs; α = {distillation.Alpha}, T = {distillation.Temperature}; {MtlThreads.Count} threads");

            using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = 100 });
            var clock = Stopwatch.StartNew();
            var teachers = Teachers.TrainSingleTask(BenchModels.FashionTasks(taskNames), ts => BenchModels.LeNetHard(ts, 100), BenchEval.Sgd,
                trainLoader, null, new TrainerOptions { Epochs = teacherEpochs, RestoreBest = false });
            double teacherSeconds = clock.Elapsed.TotalSeconds;
            var teacherAcc = taskNames.Select((t, i) => BenchEval.Accuracy(teachers[i], test)[t]).ToArray();
            Console.WriteLine($"teachers: {string.Join(", ", taskNames.Select((t, i) => $"{t} {teacherAcc[i]:P2}"))} ({teacherSeconds:F1} s, {teachers[0].ParameterCount():N0} parameters each)");

            if (grid.Length > 0)
            {
                Console.WriteLine("choosing (α, T) on validation pairs, seed 0:");
                double best = double.NegativeInfinity;
                foreach (var (alpha, temperature) in grid)
                {
                    var candidate = distillation with { Alpha = alpha, Temperature = temperature };
                    var (_, valAcc, _, _) = TrainStudent(train, val, test, taskNames, width, 0, epochs, studentLr, new Distiller(teachers, candidate));
                    double mean = valAcc.Average();
                    Console.WriteLine($"  α = {alpha}, T = {temperature}: validation {Format(valAcc)} (mean {mean:P2})");
                    if (mean > best) { best = mean; distillation = candidate; }
                }
                Console.WriteLine($"chosen: α = {distillation.Alpha}, T = {distillation.Temperature}");
            }

            var hard = new double[seeds][];
            var distilled = new double[seeds][];
            long studentParameters = 0;
            double hardSeconds = 0, distilledSeconds = 0;
            for (int s = 0; s < seeds; s++)
            {
                ulong seed = (ulong)s;
                (hard[s], _, double h, studentParameters) = TrainStudent(train, val, test, taskNames, width, seed, epochs, studentLr, null);
                (distilled[s], _, double d, _) = TrainStudent(train, val, test, taskNames, width, seed, epochs, studentLr, new Distiller(teachers, distillation));
                hardSeconds += h;
                distilledSeconds += d;
                Console.WriteLine($"seed {s}: hard {Format(hard[s])}   distilled {Format(distilled[s])}");
            }
            var hardMean = Mean(hard);
            var distilledMean = Mean(distilled);
            var wins = taskNames.Select((_, k) => Enumerable.Range(0, seeds).Count(s => distilled[s][k] > hard[s][k])).ToArray();

            Console.WriteLine();
            Console.WriteLine($"| model | parameters | {string.Join(" | ", taskNames)} | train s |");
            Console.WriteLine($"|---|---|{string.Concat(taskNames.Select(_ => "---|"))}---|");
            Console.WriteLine($"| single-task teachers (LeNet ×1, one per task) | {teachers[0].ParameterCount():N0} each | {string.Join(" | ", teacherAcc.Select(a => $"{a:P2}"))} | {teacherSeconds:F1} |");
            Console.WriteLine($"| student, hard labels (mean ± std, {seeds} seeds) | {studentParameters:N0} | {string.Join(" | ", taskNames.Select((_, k) => Pm(hard, k)))} | {hardSeconds / seeds:F1} |");
            Console.WriteLine($"| student, distilled | {studentParameters:N0} | {string.Join(" | ", taskNames.Select((_, k) => Pm(distilled, k)))} | {distilledSeconds / seeds:F1} |");
            Console.WriteLine($"| distilled − hard (points) | | {string.Join(" | ", taskNames.Select((_, k) => $"{100 * (distilledMean[k] - hardMean[k]):+0.00;-0.00} ({wins[k]}/{seeds} seeds)"))} | |");

            if (options.Json)
            {
                var json = new StringBuilder("{\"benchmark\":\"distill\"");
                json.Append(CultureInfo.InvariantCulture, $",\"seeds\":{seeds},\"epochs\":{epochs},\"alpha\":{distillation.Alpha},\"temperature\":{distillation.Temperature},\"student_parameters\":{studentParameters}");
                json.Append(",\"teacher\":").Append(Obj(taskNames, teacherAcc));
                json.Append(",\"hard\":").Append(Obj(taskNames, hardMean));
                json.Append(",\"distilled\":").Append(Obj(taskNames, distilledMean));
                json.Append(CultureInfo.InvariantCulture, $",\"distilled_beats_hard_on_every_task\":{(taskNames.Select((_, k) => distilledMean[k] > hardMean[k]).All(b => b) ? "true" : "false")}}}");
                Console.WriteLine(json);
            }
            return 0;
        }
        finally { MtlThreads.Count = saved; }
    }

    private const string DefaultGrid = "0.5:4,0.5:2,0.9:2,0.3:2,0.5:1";

    // One student (same initialisation and batch order for a given seed): test and validation accuracy per task, seconds, parameters.
    private static (double[] Test, double[] Validation, double Seconds, long Parameters) TrainStudent(IMultiTaskDataset train, IMultiTaskDataset val,
        IMultiTaskDataset test, string[] taskNames, double width, ulong seed, int epochs, double lr, Distiller? distiller)
    {
        Init.ManualSeed(seed);
        var model = ArchitectureRegistry.Create("hard", new ArchitectureContext(BenchModels.FashionTasks(taskNames), Trunk.LeNet(width)));
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = seed });
        var sgd = new SGD(model.Parameters(), new SGDOptions { Lr = lr, Momentum = 0.9 });
        var trainer = new MultiTaskTrainer(model, sgd, new TrainerOptions { Epochs = epochs, RestoreBest = false, Distillation = distiller });
        var fit = trainer.Fit(loader);
        var acc = BenchEval.Accuracy(model, test);
        var valAcc = BenchEval.Accuracy(model, val);
        return (taskNames.Select(t => acc[t]).ToArray(), taskNames.Select(t => valAcc[t]).ToArray(), fit.Seconds, model.ParameterCount());
    }

    private static double[] Mean(double[][] rows) => Enumerable.Range(0, rows[0].Length).Select(k => rows.Average(r => r[k])).ToArray();

    private static string Pm(double[][] rows, int k) => SeedStats.Percent(rows.Select(r => r[k]));

    private static string Format(double[] acc) => string.Join(" / ", acc.Select(a => $"{a:P2}"));

    private static string Obj(string[] names, double[] values) =>
        "{" + string.Join(",", names.Select((n, i) => string.Create(CultureInfo.InvariantCulture, $"\"{n}\":{values[i]:F4}"))) + "}";
}
