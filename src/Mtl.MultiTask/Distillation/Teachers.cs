// Trains the teachers of a distillation: one single-task model per task, each on its own task's labels.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Distillation;

/// <summary>Builds and trains teachers for a <see cref="Distiller"/>.</summary>
public static class Teachers
{
    /// <summary>
    /// Trains one single-task model per task of <paramref name="tasks"/> (built by <paramref name="buildModel"/> for
    /// that task alone, optimised by <paramref name="buildOptimizer"/>, with <paramref name="options"/>; checkpoints and
    /// metrics logs, when set, go to a <c>teacher-{task}</c> sub-folder / file suffix). Each teacher keeps its best
    /// validation epoch when validation data is given. Returns the teachers in task order.
    /// </summary>
    public static IReadOnlyList<MultiTaskModel> TrainSingleTask(IReadOnlyList<TaskSpec> tasks, Func<IReadOnlyList<TaskSpec>, MultiTaskModel> buildModel,
        Func<MultiTaskModel, Optimizer> buildOptimizer, TrainingSource train, TrainingSource? validation, TrainerOptions? options = null,
        Action<string, MultiTaskTrainer>? onTrainer = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(buildModel);
        ArgumentNullException.ThrowIfNull(buildOptimizer);
        ArgumentNullException.ThrowIfNull(train);
        TaskSpec.Validate(tasks);
        var teachers = new List<MultiTaskModel>(tasks.Count);
        foreach (var task in tasks)
        {
            var model = buildModel([task]);
            var trainerOptions = (options ?? new TrainerOptions()) with { Distillation = null };
            string name = $"teacher-{task.Name}";
            if (trainerOptions.CheckpointDirectory is { } dir) trainerOptions = trainerOptions with { CheckpointDirectory = Path.Combine(dir, name) };
            if (trainerOptions.MetricsLogPath is { } log)
                trainerOptions = trainerOptions with { MetricsLogPath = Path.Combine(Path.GetDirectoryName(log) ?? "", $"{Path.GetFileNameWithoutExtension(log)}.{name}{Path.GetExtension(log)}") };
            var trainer = new MultiTaskTrainer(model, buildOptimizer(model), trainerOptions);
            onTrainer?.Invoke(name, trainer);
            trainer.Fit(train.ForTask(task.Name), validation?.ForTask(task.Name));
            teachers.Add(model);
        }
        return teachers;
    }
}
