// `mtl train` writes TensorBoard event files whose records all verify and hold every task's curves.
using Mtl.MultiTask.Logging;

namespace Mtl.Cli.Tests;

public class TensorBoardOutputTests(TinyRunFixture tiny) : IClassFixture<TinyRunFixture>
{
    private static readonly string[] Tasks = ["top_left", "bottom_right"];

    [Fact]
    public void Train_writes_one_event_file_whose_records_verify_and_hold_each_tasks_curves()
    {
        Assert.True(tiny.Result.ExitCode == 0, tiny.Result.Err);
        var file = Assert.Single(TensorBoardReader.EventFiles(Path.Combine(tiny.Run, "tensorboard")));
        Assert.Matches(@"^events\.out\.tfevents\.\d{10}\.", Path.GetFileName(file));

        var events = TensorBoardReader.ReadEvents(file);          // throws on any CRC mismatch
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = TensorBoardReader.ReadScalars(file);
        foreach (var task in Tasks)
        {
            // tiny.yaml: 6 steps per epoch, 2 epochs; accuracy on the validation split after each epoch.
            Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), scalars.Where(s => s.Tag == $"train/loss/{task}").Select(s => s.Step));
            Assert.All(scalars.Where(s => s.Tag == $"train/loss/{task}"), s => Assert.True(float.IsFinite(s.Value) && s.Value > 0));
            Assert.Equal(12, scalars.Count(s => s.Tag == $"train/weight/{task}"));
            Assert.Equal([6L, 12L], scalars.Where(s => s.Tag == $"val/{task}/accuracy").Select(s => s.Step));
        }
        Assert.All(scalars.Where(s => s.Tag == "train/lr"), s => Assert.Equal(0.05f, s.Value));
        Assert.Equal(2, scalars.Count(s => s.Tag == "score"));
    }
}
