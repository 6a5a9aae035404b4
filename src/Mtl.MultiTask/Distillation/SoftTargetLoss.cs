// The distillation loss of one task: the teacher's soft targets mixed with the hard-label loss, by task kind.
using Mtl.MultiTask.Tasks;
using Mtl.NN;

namespace Mtl.MultiTask.Distillation;

/// <summary>The per-kind soft loss of <see cref="DistillationOptions"/> and its mix with the hard-label loss.</summary>
internal static class SoftTargetLoss
{
    /// <summary>Whether a task of this kind can be distilled (a class per sequence position cannot yet).</summary>
    public static bool Supports(TaskKind kind) => kind is TaskKind.Classification or TaskKind.MultiLabel or TaskKind.Regression;

    /// <summary>
    /// <c>α·soft(student, teacher) + (1 − α)·hard</c>; <paramref name="student"/> and <paramref name="teacher"/> are the
    /// same rows, (n, C) outputs; the teacher carries no gradient.
    /// </summary>
    public static Tensor Mix(TaskSpec task, Tensor hard, Tensor student, Tensor teacher, DistillationOptions options)
    {
        if (options.Alpha == 0) return hard;
        double t = options.Temperature;
        var soft = task.Kind switch
        {
            TaskKind.Classification => Losses.DistillationKl(student, teacher, t),
            // (n, C) → T²·BCE(σ(z_s/T), σ(z_t/T)): Bernoulli KL up to the teacher's entropy, which has no gradient.
            TaskKind.MultiLabel => Losses.BinaryCrossEntropyWithLogits(student.MulScalar(1 / t), teacher.MulScalar(1 / t).Sigmoid()).MulScalar(t * t),
            TaskKind.Regression => Losses.Mse(student, teacher),
            _ => throw new ArgumentException($"task '{task.Name}': distillation does not support {task.Kind} tasks"),
        };
        return options.Alpha == 1 ? soft : soft.MulScalar(options.Alpha).Add(hard.MulScalar(1 - options.Alpha));
    }
}
