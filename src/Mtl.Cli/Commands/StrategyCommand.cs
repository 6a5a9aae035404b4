// `mtl strategy NAME --gradients FILE.json [--set key=value]`: apply a balancing strategy to given task gradients.
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Mtl.Cli.Config;
using Mtl.Cli.Model;
using Mtl.Cli.Output;
using Mtl.MultiTask.Balancing;
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Commands;

/// <summary>The arguments of <c>mtl strategy</c>.</summary>
public sealed record StrategyArgs
{
    /// <summary>The strategy's registry name.</summary>
    public required string Name { get; init; }

    /// <summary>The JSON file of steps (<c>-</c> = standard input).</summary>
    public required string Gradients { get; init; }

    /// <summary><c>KEY=VALUE</c> options of the strategy.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];
}

/// <summary>Runs a balancing strategy on task gradients given as JSON, step after step, keeping its state.</summary>
public static class StrategyCommand
{
    internal const string Help = """
        Apply a balancing strategy to given task gradients; print the combined gradient and the weights.

        Prints one JSON line. Input: {"steps":[{"gradients":[[..P..], ..K rows..],"losses":[..K..],"epoch":0}, ...]}
        ("losses" default to 1, "epoch" to 0). Output: {"steps":[{"combined":[..P..],"weights":[..K..]}, ...]} with
        weights null when the result is not a weighted sum of the gradients. The strategy's state (histories, its
        random generator) is carried from one step to the next, as in training.

        Examples:
          mtl strategy pcgrad --gradients grads.json
          mtl strategy static --gradients grads.json --set weights=[1,0.5]
        """;

    internal static Command Create(CliIO io)
    {
        var name = new Argument<string>("NAME") { Description = "a registered strategy (mtl list strategies)" };
        var gradients = new Option<string>("--gradients") { Description = "JSON file of steps ('-' = standard input)", HelpName = "FILE.json", Required = true };
        var set = new Option<string[]>("--set") { Description = "set a strategy option, e.g. --set seed=3 (repeatable)", HelpName = "KEY=VALUE" };
        var command = new Command("strategy", Help) { name, gradients, set };
        command.SetAction(r => Run(new StrategyArgs { Name = r.GetValue(name)!, Gradients = r.GetValue(gradients)!, Set = r.GetValue(set) ?? [] }, io));
        return command;
    }

    /// <summary>Runs <c>mtl strategy</c>; returns the exit code.</summary>
    public static int Run(StrategyArgs args, CliIO io, TextReader? stdin = null) => CommandGuard.Run(io, () =>
    {
        var catalog = RegistryCatalogs.Strategies;
        var entry = catalog.Find(args.Name) ?? throw new ConfigException(null, $"unknown strategy '{args.Name}'; allowed: {catalog.Names}");
        var source = new ConfigSource("--set");
        var map = new YamlMappingNode();
        Overrides.Apply(map, args.Set, source);
        var options = new OptionsBinder(source).Bind(entry.OptionsType, map, args.Name);
        BalancingStrategy strategy;
        try { strategy = StrategyRegistry.Create(args.Name, options); }
        catch (ArgumentException e) { throw new ConfigException(null, $"strategy '{args.Name}': {e.Message}"); }

        string text;
        if (args.Gradients == "-") text = (stdin ?? Console.In).ReadToEnd();
        else if (File.Exists(args.Gradients)) text = File.ReadAllText(args.Gradients);
        else throw new ConfigException(null, $"gradients file not found: {args.Gradients}");
        var steps = GradientSteps.Parse(text, args.Gradients);

        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("steps");
            for (int i = 0; i < steps.Count; i++)
            {
                StrategyResult result;
                try { result = strategy.Combine(steps[i].Gradients, new StrategyStep(steps[i].Losses, i + 1, steps[i].Epoch)); }
                catch (ArgumentException e) { throw new ConfigException($"{args.Gradients}: steps[{i}]", e.Message); }
                w.WriteStartObject();
                Numbers(w, "combined", result.Combined);
                if (result.Weights is null) w.WriteNull("weights");
                else Numbers(w, "weights", result.Weights);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        io.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        return ExitCodes.Ok;
    });

    private static void Numbers(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsFinite(v)) w.WriteNumberValue(v);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
    }
}

/// <summary>One step of <c>mtl strategy</c>'s input.</summary>
internal sealed record GradientStep(GradientMatrix Gradients, double[] Losses, int Epoch);

/// <summary>Parses the <c>{"steps":[{"gradients":..,"losses":..,"epoch":..}]}</c> document with errors naming the step.</summary>
internal static class GradientSteps
{
    public static List<GradientStep> Parse(string json, string file)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ConfigException(file, $"not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
                throw new ConfigException(file, "expected {\"steps\":[{\"gradients\":[[...],...],\"losses\":[...],\"epoch\":0}, ...]}");
            var result = new List<GradientStep>();
            int i = 0;
            foreach (var s in steps.EnumerateArray())
            {
                string at = $"{file}: steps[{i}]";
                if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("gradients", out var g) || g.ValueKind != JsonValueKind.Array || g.GetArrayLength() == 0)
                    throw new ConfigException(at, "needs \"gradients\": a non-empty list of task gradients (lists of numbers)");
                var rows = g.EnumerateArray().Select((r, k) => Vector(r, $"{at}.gradients[{k}]")).ToList();
                try
                {
                    var matrix = GradientMatrix.FromRows(rows);
                    var losses = s.TryGetProperty("losses", out var l) ? Vector(l, $"{at}.losses") : Enumerable.Repeat(1.0, rows.Count).ToArray();
                    if (losses.Length != rows.Count) throw new ConfigException(at, $"{losses.Length} losses for {rows.Count} task gradients");
                    int epoch = s.TryGetProperty("epoch", out var e) && e.TryGetInt32(out var ep) ? ep : 0;
                    result.Add(new GradientStep(matrix, losses, epoch));
                }
                catch (ArgumentException ex) { throw new ConfigException(at, ex.Message); }
                i++;
            }
            return result;
        }
    }

    private static double[] Vector(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Array || e.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
            throw new ConfigException(at, "expected a list of numbers");
        return e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    }
}
