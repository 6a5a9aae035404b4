// `mtl predict RUN_DIR INPUT [--checkpoint auto|best|last]`: per-task predictions as JSON lines.
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Mtl.Cli.Output;
using Mtl.Cli.Runs;
using Mtl.Data;
using Mtl.Storage;

namespace Mtl.Cli.Commands;

/// <summary>The arguments of <c>mtl predict</c>.</summary>
public sealed record PredictArgs
{
    /// <summary>The run folder.</summary>
    public required string Run { get; init; }

    /// <summary>The input file (<c>-</c> = standard input), one sample per line.</summary>
    public required string Input { get; init; }

    /// <summary>auto (the weights training ended with: best when restored, else last), best or last.</summary>
    public string Checkpoint { get; init; } = "auto";
}

/// <summary>Predicts every task for new inputs with a run's saved model.</summary>
public static class PredictCommand
{
    internal const string Help = """
        Predict every task for new inputs with a run's saved model (one JSON line per input).

        Each output line looks like
          {"line":3,"top_left":{"class":3,"label":"Dress","probability":0.91},"bottom_right":{...}}
        (classification: the class, its name and probability; regression: {"value":...}).
        INPUT has one sample per line ('#' lines and blank lines are skipped; '-' reads standard input):
          images / features: the values separated by commas, row-major (784 pixels in [0, 1] for 28×28 images)
          text runs: the raw text

        Examples:
          mtl predict runs/default-20260101-120000 images.csv
          echo "a wonderful, moving film" | mtl predict runs/text-20260101-120000 -
        """;

    internal static Command Create(CliIO io)
    {
        var run = new Argument<string>("RUN_DIR") { Description = "a run folder written by mtl train" };
        var input = new Argument<string>("INPUT") { Description = "CSV of flattened samples, or one text per line for text runs ('-' = stdin)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "which weights: auto (those training ended with: best when restored, else last), best or last", DefaultValueFactory = _ => "auto" };
        checkpoint.AcceptOnlyFromAmong("auto", "best", "last");
        var command = new Command("predict", Help) { run, input, checkpoint };
        command.SetAction(r => Run(new PredictArgs { Run = r.GetValue(run)!, Input = r.GetValue(input)!, Checkpoint = r.GetValue(checkpoint)! }, io));
        return command;
    }

    /// <summary>Runs <c>mtl predict</c>; returns the exit code.</summary>
    public static int Run(PredictArgs args, CliIO io, TextReader? stdin = null) => CommandGuard.Run(io, () =>
    {
        using var run = TrainedRun.Load(args.Run, args.Checkpoint);
        var rows = PredictInput.Read(args.Input, stdin);
        var tasks = run.Data.Tasks;
        int batch = run.Config.Trainer.EvalBatchSize;
        for (int start = 0; start < rows.Count; start += batch)
        {
            var chunk = rows.GetRange(start, Math.Min(batch, rows.Count - start));
            using var scope = TensorScope.Begin();
            using var _ = GradMode.NoGrad();
            var outputs = run.Model.Forward(PredictInput.Batch(run.Data, chunk, args.Input));
            var values = tasks.ToDictionary(t => t.Name, t => Probabilities(t, outputs[t.Name]));
            for (int r = 0; r < chunk.Count; r++) io.Out.WriteLine(Line(chunk[r].Line, tasks, values, r));
        }
        return ExitCodes.Ok;
    });

    // Classification: softmax probabilities (B, C); regression: the values (B, W).
    private static (float[] Values, int Width) Probabilities(TaskLabels task, Tensor output)
    {
        var y = task.Kind == LabelKind.ClassIndex ? output.Softmax(-1) : output;
        return (y.Contiguous().ToFloatArray(), y.Shape[^1]);
    }

    private static string Line(int line, IReadOnlyList<TaskLabels> tasks, Dictionary<string, (float[] Values, int Width)> values, int row)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("line", line);
            foreach (var t in tasks)
            {
                var (v, width) = values[t.Name];
                var span = v.AsSpan(row * width, width);
                w.WriteStartObject(t.Name);
                if (t.Kind == LabelKind.ClassIndex)
                {
                    int best = 0;
                    for (int c = 1; c < width; c++) if (span[c] > span[best]) best = c;
                    w.WriteNumber("class", best);
                    if (t.ClassNames is { } names && best < names.Count) w.WriteString("label", names[best]);
                    w.WriteNumber("probability", Math.Round(span[best], 6));
                }
                else if (width == 1) w.WriteNumber("value", span[0]);
                else
                {
                    w.WriteStartArray("value");
                    foreach (var x in span) w.WriteNumberValue(x);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
