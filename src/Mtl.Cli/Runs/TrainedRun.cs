// A finished (or interrupted) run loaded back: its config, data, model rebuilt and weights read from a checkpoint.
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Cli.Model;
using Mtl.MultiTask.Architectures;
using Mtl.NN.Serialization;

namespace Mtl.Cli.Runs;

/// <summary>
/// What <c>mtl eval</c> and <c>mtl predict</c> work on: the run's config.yaml rebuilt into data and model (the same
/// build as training, so the same vocabulary and splits), with the weights of <c>best.safetensors</c> or
/// <c>last.safetensors</c> loaded.
/// </summary>
internal sealed class TrainedRun : IDisposable
{
    private TrainedRun(RunFolder folder, RunConfig config, DataBundle data, MultiTaskModel model, string checkpoint)
    {
        Folder = folder;
        Config = config;
        Data = data;
        Model = model;
        CheckpointPath = checkpoint;
    }

    public RunFolder Folder { get; }
    public RunConfig Config { get; }
    public DataBundle Data { get; }
    public MultiTaskModel Model { get; }

    /// <summary>The checkpoint whose weights the model holds.</summary>
    public string CheckpointPath { get; }

    /// <summary>
    /// Loads run <paramref name="path"/> with the weights of <paramref name="which"/>: <c>best</c>, <c>last</c> or
    /// <c>auto</c> — the weights training ended with: best when the run restored the best epoch, else last.
    /// </summary>
    public static TrainedRun Load(string path, string which)
    {
        var folder = RunFolder.Open(path);
        var config = folder.LoadConfig();
        string checkpoint = which switch
        {
            "best" => folder.BestCheckpoint,
            "last" => folder.LastCheckpoint,
            // The weights training ended with (and report.json measured): the best epoch's when they were restored.
            "auto" => config.Trainer.RestoreBest && File.Exists(folder.BestCheckpoint) ? folder.BestCheckpoint : folder.LastCheckpoint,
            _ => throw new ConfigException(null, $"unknown checkpoint '{which}'; allowed: auto, best, last"),
        };
        if (!File.Exists(checkpoint)) throw new ConfigException(null, $"{path} has no checkpoint {Path.GetRelativePath(path, checkpoint)} (training wrote none yet)");
        var data = RunBuilder.Data(config);
        try
        {
            var model = RunBuilder.Model(config, data, RunBuilder.Tasks(config, data));
            model.LoadStateDict(Checkpoint.Load(checkpoint).Model);
            model.Eval();
            return new TrainedRun(folder, config, data, model, checkpoint);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public void Dispose() => Data.Dispose();
}
