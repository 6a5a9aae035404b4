// Applies a config's `distill` section: builds the teachers (single-task models or earlier runs' models) and the Distiller.
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Cli.Runs;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Distillation;
using Mtl.MultiTask.Tasks;
using Mtl.NN.Serialization;

namespace Mtl.Cli.Model;

/// <summary>
/// The teachers of a run and its <see cref="Distiller"/>. Single-task teachers are built (untrained) when the run is
/// prepared and trained by <see cref="TrainSession"/> before the student, each into <c>checkpoints/teacher-TASK/</c>;
/// a resumed run loads them back from there. Teachers from earlier runs are loaded with the weights their training
/// ended with.
/// </summary>
internal sealed class RunDistillation
{
    private RunDistillation(Distiller distiller, IReadOnlyList<(TaskSpec Task, MultiTaskModel Model)> toTrain, IReadOnlyList<string> described)
    {
        Distiller = distiller;
        SingleTaskTeachers = toTrain;
        Teachers = described;
    }

    public Distiller Distiller { get; }

    /// <summary>The single-task teachers this run trains (empty with teacher_runs).</summary>
    public IReadOnlyList<(TaskSpec Task, MultiTaskModel Model)> SingleTaskTeachers { get; }

    /// <summary>One line per teacher: which tasks, where from.</summary>
    public IReadOnlyList<string> Teachers { get; }

    /// <summary>The distillation of <paramref name="c"/>, or null when the section asks for none.</summary>
    public static RunDistillation? Build(RunConfig c, DataBundle data, IReadOnlyList<TaskSpec> tasks)
    {
        var d = c.Distill;
        if (!d.Enabled) return null;
        string where = c.Where("distill");
        var options = new DistillationOptions { Temperature = d.Temperature, Alpha = d.Alpha, CacheTeacherOutputs = d.Cache };
        if (d.Teachers == "single_task")
        {
            var teacherConfig = c with { Trunk = c.TeacherTrunk ?? c.Trunk, Locations = WithTrunkAt(c) };
            var teachers = tasks.Select(t => (t, RunBuilder.Model(teacherConfig, data, [t]))).ToList();
            return new RunDistillation(Create(teachers.Select(x => x.Item2), options, where), teachers,
                teachers.Select(x => $"{x.t.Name}: single-task {teacherConfig.Trunk.Name} + {c.Architecture.Name}, {x.Item2.ParameterCount():N0} parameters, trained in this run").ToList());
        }
        var loaded = new List<MultiTaskModel>();
        var lines = new List<string>();
        foreach (var run in d.TeacherRuns)
        {
            try
            {
                using var trained = TrainedRun.Load(run, "auto");
                loaded.Add(trained.Model);
                lines.Add($"{string.Join(", ", trained.Model.Tasks.Select(t => t.Name))}: {run} ({Path.GetFileName(trained.CheckpointPath)})");
            }
            catch (Exception e) when (e is ConfigException or IOException or SafeTensorsFormatException or ArgumentException)
            {
                throw new ConfigException(where, $"'distill.teacher_runs': {run}: {e.Message}", e);
            }
        }
        return new RunDistillation(Create(loaded, options, where), [], lines);
    }

    private static Distiller Create(IEnumerable<MultiTaskModel> teachers, DistillationOptions options, string where)
    {
        try { return new Distiller(teachers, options); }
        catch (ArgumentException e) { throw new ConfigException(where, $"'distill': {e.Message}", e); }
    }

    // The teacher trunk's mistakes are reported where distill.teacher_trunk was given.
    private static IReadOnlyDictionary<string, string> WithTrunkAt(RunConfig c)
    {
        if (!c.Locations.TryGetValue("distill.teacher_trunk", out var at)) return c.Locations;
        return new Dictionary<string, string>(c.Locations) { ["trunk"] = at };
    }
}
