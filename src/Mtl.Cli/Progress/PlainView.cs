// Plain progress for logs and CI: one line per epoch, no ANSI codes, no redraws; or nothing at all (--quiet).
using Mtl.MultiTask.Training;

namespace Mtl.Cli.Progress;

/// <summary>One line per epoch (losses, primary validation metrics, samples/s, seconds) on a text writer; silent when <c>quiet</c>.</summary>
internal sealed class PlainView(TextWriter output, bool quiet) : ITrainingView
{
    public T Run<T>(Func<T> work) => work();

    public void Follow(MultiTaskTrainer trainer, string label)
    {
        if (quiet) return;
        double speed = 0;
        trainer.ProgressChanged += p => speed = p.SamplesPerSecond;
        trainer.Callbacks.Add(new Callback(this, label, () => speed));
    }

    public void Line(string text)
    {
        if (!quiet) output.WriteLine(text);
    }

    private sealed class Callback(PlainView view, string label, Func<double> speed) : ITrainerCallback
    {
        public void OnFitStart(MultiTaskTrainer trainer) =>
            view.Line($"[{label}] training {trainer.Model.Tasks.Count} task(s), {trainer.Model.ParameterCount(trainableOnly: true):N0} parameters, epochs {trainer.Epoch + 1}..{trainer.Options.Epochs}");

        public void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log) => view.Line(EpochText.Line(label, log, trainer.Options.Epochs, speed()));
    }
}
