// The config's `distill` section: single-task teachers trained first, the student distilled, teacher runs reused, mistakes named.
namespace Mtl.Cli.Tests;

public class DistillConfigTests
{
    private static string TinyWith(string distill, string trunk = "lenet") => CliRun.WriteConfig($$"""
        name: tiny-distill
        seed: 1
        data:
          name: multifashion
          train_count: 200
          test_count: 100
          validation_fraction: 0.1
        trunk: {{trunk}}
        architecture: hard
        optimizer:
          name: sgd
          lr: 0.05
          momentum: 0.9
        distill:
        {{distill}}
        trainer:
          epochs: 1
          batch_size: 32
        """);

    [Fact]
    public void Single_task_teachers_are_trained_first_then_the_half_width_student_is_distilled()
    {
        var config = TinyWith("""
              teachers: single_task
              teacher_trunk: {name: lenet, width: 1}
              teacher_epochs: 2
              temperature: 2
              alpha: 0.3
            """, trunk: "{name: lenet, width: 0.5}");
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", config, "--plain", "--out", output);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        Assert.Contains("teacher top_left: test accuracy", r.Out);
        var run = Directory.GetDirectories(output).Single();
        foreach (var task in new[] { "top_left", "bottom_right" })
        {
            Assert.True(File.Exists(Path.Combine(run, "checkpoints", $"teacher-{task}", "last.safetensors")));
            Assert.Equal(2, File.ReadLines(Path.Combine(run, $"metrics.teacher-{task}.jsonl")).Count(l => l.Contains("\"type\":\"epoch\"")));
        }
        var distill = File.ReadAllText(Path.Combine(run, "distill.txt"));
        Assert.Contains("alpha 0.3, temperature 2", distill);
        Assert.Contains("top_left: single-task lenet + hard, 21,840 parameters", distill);
        Assert.Contains("teacher bottom_right test: accuracy", distill);
        var resolved = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains("teacher_trunk:", resolved);
        Assert.Contains("width: 0.5", resolved);
    }

    [Fact]
    public void An_earlier_run_can_be_the_teacher()
    {
        var teacherOut = CliRun.TempDir();
        var t = CliRun.Mtl("train", Path.Combine(CliRun.Examples, "tiny.yaml"), "--plain", "--out", teacherOut);
        Assert.True(t.ExitCode == 0, t.Err + t.Out);
        var teacherRun = Directory.GetDirectories(teacherOut).Single();
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", TinyWith($"  teacher_runs: [{teacherRun}]"), "--plain", "--out", output);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var distill = File.ReadAllText(Path.Combine(Directory.GetDirectories(output).Single(), "distill.txt"));
        Assert.Contains($"top_left, bottom_right: {teacherRun}", distill);
    }

    [Theory]
    [InlineData("  teachers: everyone", "'distill.teachers' must be one of none, single_task, got 'everyone'")]
    [InlineData("  teachers: single_task\n  alpha: 2", "'distill.alpha' must be in [0, 1], got 2")]
    [InlineData("  teachers: single_task\n  temperature: 0", "'distill.temperature' must be positive, got 0")]
    [InlineData("  teacher_trunk: lenet", "'distill.teacher_trunk' applies to teachers: single_task")]
    [InlineData("  teachers: single_task\n  teacher_runs: [x]", "give either teachers: single_task or teacher_runs, not both")]
    [InlineData("  teachers: single_task\n  teachers_epochs: 3", "unknown key 'teachers_epochs'")]
    public void Mistakes_are_named_with_their_place(string distill, string message)
    {
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", TinyWith(distill), "--plain", "--out", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.Contains(".yaml:", r.Err);
        Assert.Empty(Directory.GetDirectories(output));
    }

    [Fact]
    public void A_teacher_run_that_does_not_exist_is_named()
    {
        var missing = Path.Combine(CliRun.TempDir(), "no-such-run");
        var output = CliRun.TempDir();
        var r = CliRun.Mtl("train", TinyWith($"  teacher_runs: [{missing}]"), "--plain", "--out", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"'distill.teacher_runs': {missing}", r.Err);
        Assert.Empty(Directory.GetDirectories(output));
    }
}
