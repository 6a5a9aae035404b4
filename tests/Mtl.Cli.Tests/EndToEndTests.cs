// End to end on the tiny example: train, then eval, predict, report, and an interrupted run resumed to the same result.
using System.Globalization;
using System.Text.Json;
using Mtl.Cli.Commands;
using Mtl.Cli.Config;
using Mtl.Data;
using Mtl.MultiTask.Logging;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Tests;

public class EndToEndTests
{
    private static readonly string Tiny = Path.Combine(CliRun.Examples, "tiny.yaml");

    // tiny.yaml: 200 training pairs, 10% held out → 180 / batch 32 = 6 steps per epoch, 2 epochs.
    private const int StepsPerEpoch = 6, Steps = 12;

    private static string OnlyRun(string output) => Assert.Single(Directory.GetDirectories(output));

    [Fact]
    public void Train_then_eval_predict_report_and_resume_an_interrupted_run_to_the_same_result()
    {
        // --- train ---
        var output = CliRun.TempDir();
        var train = CliRun.Mtl("train", Tiny, "--out", output, "--plain");
        Assert.True(train.ExitCode == 0, train.Err);
        string run = OnlyRun(output);
        Assert.StartsWith("tiny-", Path.GetFileName(run));
        Assert.Contains("[mtl] epoch 1/2 | loss top_left ", train.Out);
        Assert.Contains("[mtl] epoch 2/2 | loss top_left ", train.Out);
        Assert.Contains("test metrics (hard)", train.Out);
        Assert.Contains($"trained 2 epoch(s), {Steps} steps in ", train.Out);
        Assert.EndsWith($"run folder: {run}\n", train.Out.Replace("\r\n", "\n"));
        Assert.DoesNotContain('\u001b', train.Out);   // plain: no ANSI codes

        // --- the run folder ---
        Assert.Equal(ConfigWriter.ToYaml(ConfigLoader.LoadFile(Tiny)), File.ReadAllText(Path.Combine(run, "config.yaml")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "best.safetensors")));
        var csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("step,epoch,total,lr,loss_top_left,loss_bottom_right,weight_top_left,weight_bottom_right,aux_loss", csv[0]);
        Assert.Equal(Enumerable.Range(1, Steps).Select(i => i.ToString(CultureInfo.InvariantCulture)), csv.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(csv.Skip(1), l => Assert.Equal("0.05", l.Split(',')[3]));
        var jsonl = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Steps, jsonl.Count(e => e.GetProperty("type").GetString() == "step"));
        Assert.Equal(2, jsonl.Count(e => e.GetProperty("type").GetString() == "epoch"));
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, "report.json")));
        Assert.Equal(["top_left", "bottom_right"], report.Tasks);
        Assert.Equal(2, report.MultiTask.Epochs);
        Assert.Null(report.SingleTask);
        Assert.All(report.Tasks, t => Assert.InRange(report.MultiTask.Metrics[t]["accuracy"], 0, 1));

        // --- eval: the kept (best) weights on the test split give report.json's numbers exactly ---
        var eval = CliRun.Mtl("eval", run, "--json");
        Assert.True(eval.ExitCode == 0, eval.Err);
        var evaluated = JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal("best.safetensors", evaluated.GetProperty("checkpoint").GetString());
        foreach (var t in report.Tasks)
            foreach (var (metric, value) in report.MultiTask.Metrics[t])
                Assert.Equal(value, evaluated.GetProperty("metrics").GetProperty(t).GetProperty(metric).GetDouble());
        var table = CliRun.Mtl("eval", run, "--split", "validation", "--checkpoint", "last");
        Assert.Contains("(last.safetensors, 20 samples)", table.Out);
        Assert.Contains("top_left      accuracy", table.Out);

        // --- predict: two test pairs as CSV rows of 784 pixels ---
        var pairs = MultiDigitBuilder.MultiFashion(Samples.FashionTest(), new MultiDigitOptions { Seed = 2, Count = 2 });
        var pixels = pairs.AllInputs();
        var input = Path.Combine(CliRun.TempDir(), "pairs.csv");
        File.WriteAllLines(input, ["# two MultiFashion test pairs", .. Enumerable.Range(0, 2).Select(i => string.Join(",", pixels.Skip(i * 784).Take(784).Select(v => v.ToString("R", CultureInfo.InvariantCulture))))]);
        var predict = CliRun.Mtl("predict", run, input);
        Assert.True(predict.ExitCode == 0, predict.Err);
        var lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2, 3], lines.Select(l => l.GetProperty("line").GetInt32()));
        foreach (var l in lines)
            foreach (var t in report.Tasks)
            {
                var p = l.GetProperty(t);
                int cls = p.GetProperty("class").GetInt32();
                Assert.InRange(cls, 0, 9);
                Assert.Equal(FashionMnist.ClassNames[cls], p.GetProperty("label").GetString());
                Assert.InRange(p.GetProperty("probability").GetDouble(), 0.1, 1.0);
            }
        var badInput = Path.Combine(CliRun.TempDir(), "bad.csv");
        File.WriteAllText(badInput, "0.1,0.2,0.3\n");
        Assert.Equal($"error: {badInput}:1: expected 784 values (one sample of shape (1, 28, 28)), got 3", CliRun.Mtl("predict", run, badInput).Err.TrimEnd());

        // --- report ---
        var compare = CliRun.Mtl("report", run);
        Assert.True(compare.ExitCode == 0, compare.Err);
        Assert.Contains("top_left accuracy", compare.Out);
        Assert.Contains($"{Path.GetFileName(run)}  hard          ew        ", compare.Out);
        Assert.Contains(Tables(report.MultiTask.Metrics["top_left"]["accuracy"]), compare.Out);

        // --- an interrupted run (cancelled mid-epoch 2) and its resumption ---
        var output2 = CliRun.TempDir();
        var (io, o, e) = CliRun.Capture();
        using var cts = new CancellationTokenSource();
        int code = TrainCommand.Run(new TrainArgs { Config = Tiny, Out = output2, Plain = true }, io, cts.Token,
            t => t.StepCompleted += log => { if (log.Step == StepsPerEpoch + 2) cts.Cancel(); });
        Assert.Equal(130, code);
        string run2 = OnlyRun(output2);
        Assert.Contains($"interrupted at step {StepsPerEpoch + 2} (epoch 1 of 2 done); checkpoint: {Path.Combine(run2, "checkpoints", "last.safetensors")}", o.ToString());
        Assert.Contains($"resume with: mtl train --resume {run2}", o.ToString());
        Assert.False(File.Exists(Path.Combine(run2, "report.json")));
        Assert.Equal(StepsPerEpoch + 3, File.ReadAllLines(Path.Combine(run2, "metrics.csv")).Length);

        var resumed = CliRun.Mtl("train", "--resume", run2, "--plain");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains($"resuming {run2} at step {StepsPerEpoch + 2} (epoch 1 of 2 done)", resumed.Out);
        // Same batches, same random numbers: the resumed run ends exactly where the uninterrupted one did.
        var report2 = RunReport.FromJson(File.ReadAllText(Path.Combine(run2, "report.json")));
        foreach (var t in report.Tasks)
            Assert.Equal(report.MultiTask.Metrics[t], report2.MultiTask.Metrics[t]);
        Assert.Equal(csv, File.ReadAllLines(Path.Combine(run2, "metrics.csv")));
        Assert.Equal(Steps, File.ReadAllLines(Path.Combine(run2, "metrics.jsonl")).Count(l => l.Contains("\"type\":\"step\"", StringComparison.Ordinal)));
        // TensorBoard: the resumed session's file opens with a session start at its first step, and the run reads as one curve.
        var files = TensorBoardReader.EventFiles(Path.Combine(run2, "tensorboard"));
        Assert.Equal(2, files.Count);
        var restart = TensorBoardReader.ReadEvents(files[1]).Single(ev => ev.Session is not null);
        Assert.Equal((SessionStatus.Start, (long)StepsPerEpoch + 3), (restart.Session!.Value, restart.Step));
        Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s),
            TensorBoardReader.ReadRun(Path.Combine(run2, "tensorboard")).Where(p => p.Tag == "train/loss/total").Select(p => p.Step));
    }

    [Fact]
    public void Baselines_add_single_task_models_and_delta_m_and_quiet_prints_only_the_summary()
    {
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", Tiny, "--out", output, "--baselines", "--quiet", "--set", "trainer.epochs=1");
        Assert.True(r.ExitCode == 0, r.Err);
        string run = OnlyRun(output);
        Assert.DoesNotContain("epoch 1/1 |", r.Out);
        Assert.StartsWith("test metrics (hard)\ntask          metric    multi-task  single-task ", r.Out.Replace("\r\n", "\n"));
        Assert.Contains("Δm (primary metrics): ", r.Out);
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, "report.json")));
        Assert.Equal(["top_left", "bottom_right"], report.SingleTask!.Keys.Order(StringComparer.Ordinal).Reverse());
        // Each single-task model logs to a TensorBoard run of its own (tensorboard/stl-TASK/).
        foreach (var task in new[] { "top_left", "bottom_right" })
            Assert.Contains(TensorBoardReader.ReadRun(Path.Combine(run, "tensorboard", $"stl-{task}")), p => p.Tag == $"train/loss/{task}");
        Assert.Equal(4, report.Comparison!.Count);
        Assert.NotNull(report.DeltaM);
        Assert.True(report.SingleTaskParameters > report.MultiTask.Parameters);
        Assert.True(File.Exists(Path.Combine(run, "metrics.stl-top_left.jsonl")));
        Assert.Contains("baselines: true", File.ReadAllText(Path.Combine(run, "config.yaml")));
    }

    [Fact]
    public void Run_folder_mistakes_are_named()
    {
        var missing = Path.Combine(CliRun.TempDir(), "no-such-run");
        Assert.Equal($"error: run folder not found: {missing}", CliRun.Mtl("eval", missing).Err.TrimEnd());
        var empty = CliRun.TempDir();
        Assert.Equal($"error: {empty} is not a run folder: it has no config.yaml", CliRun.Mtl("train", "--resume", empty).Err.TrimEnd());
        Assert.Equal("error: --resume continues a run with its own config.yaml; give either CONFIG or --resume RUN_DIR",
            CliRun.Mtl("train", Tiny, "--resume", empty).Err.TrimEnd());
    }

    private static string Tables(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
