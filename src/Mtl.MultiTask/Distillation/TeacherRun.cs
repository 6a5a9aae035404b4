// Runs a teacher model for its outputs only: evaluation mode, no gradient, training mode restored afterwards.
using Mtl.MultiTask.Architectures;

namespace Mtl.MultiTask.Distillation;

internal static class TeacherRun
{
    /// <summary>Calls <paramref name="body"/> with <paramref name="teacher"/> in eval mode and gradients off.</summary>
    public static void InEvalMode(MultiTaskModel teacher, Action body)
    {
        bool wasTraining = teacher.Training;
        teacher.Eval();
        try
        {
            using (GradMode.NoGrad()) body();
        }
        finally { teacher.Train(wasTraining); }
    }
}
