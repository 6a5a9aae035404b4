// A run folder: runs/NAME-yyyyMMdd-HHmmss/ with config.yaml, metrics.jsonl, metrics.csv, tensorboard/, checkpoints/, report.json and report.html.
using System.Globalization;
using System.Text.Json;
using Mtl.Cli.Config;
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Runs;

/// <summary>
/// The files of one run. <see cref="Create"/> makes a new folder under the output folder; <see cref="Open"/> an
/// existing one (for <c>--resume</c>, <c>eval</c>, <c>predict</c>, <c>report</c>).
/// </summary>
internal sealed class RunFolder
{
    public const string ConfigFile = "config.yaml";
    public const string MetricsJsonlFile = "metrics.jsonl";
    public const string MetricsCsvFile = "metrics.csv";
    public const string ReportFile = "report.json";
    public const string CheckpointsFolder = "checkpoints";
    public const string TensorBoardFolder = "tensorboard";
    public const string HtmlReportFile = "report.html";
    public const string TransferFile = "transfer.txt";

    /// <summary>The teachers of a distilled run and their test metrics.</summary>
    public const string DistillFile = "distill.txt";

    private RunFolder(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The resolved configuration.</summary>
    public string ConfigPath => System.IO.Path.Combine(Path, ConfigFile);

    /// <summary>The trainer's JSON-lines metrics log (one record per step and per epoch).</summary>
    public string MetricsJsonlPath => System.IO.Path.Combine(Path, MetricsJsonlFile);

    /// <summary>One CSV row per step.</summary>
    public string MetricsCsvPath => System.IO.Path.Combine(Path, MetricsCsvFile);

    /// <summary>The run report (test metrics; baselines and Δm with --baselines).</summary>
    public string ReportPath => System.IO.Path.Combine(Path, ReportFile);

    /// <summary>The TensorBoard event files (one per training session; a resumed run adds one).</summary>
    public string TensorBoardPath => System.IO.Path.Combine(Path, TensorBoardFolder);

    /// <summary>The self-contained HTML report.</summary>
    public string HtmlReportPath => System.IO.Path.Combine(Path, HtmlReportFile);

    /// <summary>The trainer's checkpoint folder (last.safetensors, best.safetensors).</summary>
    public string CheckpointsPath => System.IO.Path.Combine(Path, CheckpointsFolder);

    /// <summary>What the config's transfer section loaded and froze (written when it asks for something).</summary>
    public string TransferPath => System.IO.Path.Combine(Path, TransferFile);

    /// <summary>distill.txt in the run folder.</summary>
    public string DistillPath => System.IO.Path.Combine(Path, DistillFile);

    /// <summary>checkpoints/last.safetensors.</summary>
    public string LastCheckpoint => System.IO.Path.Combine(CheckpointsPath, MultiTaskTrainer.LastFileName);

    /// <summary>checkpoints/best.safetensors.</summary>
    public string BestCheckpoint => System.IO.Path.Combine(CheckpointsPath, MultiTaskTrainer.BestFileName);

    /// <summary>
    /// A new run folder's place, <c>OUT/NAME-yyyyMMdd-HHmmss</c> (with <c>-2</c>, <c>-3</c>, … when taken); nothing is
    /// created until <see cref="Create"/>, so a config mistake found while building leaves no folder behind.
    /// </summary>
    public static RunFolder Plan(string outDirectory, string name, DateTime now)
    {
        string stem = System.IO.Path.Combine(outDirectory, $"{name}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        string path = stem;
        for (int i = 2; Directory.Exists(path); i++) path = $"{stem}-{i}";
        return new RunFolder(path);
    }

    /// <summary>Creates the folder and its checkpoints/ folder (the trainer writes best.safetensors without creating it).</summary>
    public void Create() => Directory.CreateDirectory(CheckpointsPath);

    /// <summary>An existing run folder.</summary>
    /// <exception cref="ConfigException">The folder or its config.yaml is missing.</exception>
    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new ConfigException(null, $"run folder not found: {path}");
        var folder = new RunFolder(path);
        if (!File.Exists(folder.ConfigPath)) throw new ConfigException(null, $"{path} is not a run folder: it has no {ConfigFile}");
        return folder;
    }

    /// <summary>The run's resolved configuration.</summary>
    public RunConfig LoadConfig() => ConfigLoader.LoadFile(ConfigPath);

    /// <summary>Writes the resolved configuration.</summary>
    public void SaveConfig(RunConfig config) => File.WriteAllText(ConfigPath, ConfigWriter.ToYaml(config));

    /// <summary>
    /// Before a resume from a checkpoint at <paramref name="step"/>: drops the log records of steps after it (written
    /// before an interruption the checkpoint does not cover), so the logs read as one uninterrupted run.
    /// </summary>
    public void TruncateLogs(long step)
    {
        Keep(MetricsJsonlPath, line =>
        {
            using var doc = JsonDocument.Parse(line);
            return !doc.RootElement.TryGetProperty("step", out var s) || s.GetInt64() <= step;
        });
        bool header = true;
        Keep(MetricsCsvPath, line =>
        {
            if (header) { header = false; return true; }
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            return comma <= 0 || long.Parse(line.AsSpan(0, comma), CultureInfo.InvariantCulture) <= step;
        });
    }

    private static void Keep(string path, Func<string, bool> keep)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && keep(l)).ToList();
        File.WriteAllLines(path, lines);
    }
}
