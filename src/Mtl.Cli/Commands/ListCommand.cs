// `mtl list [architectures|strategies|datasets|optimizers|trunks|schedules|schedulers]`: registry entries with their options.
using System.CommandLine;
using Mtl.Cli.Config;
using Mtl.Cli.Data;
using Mtl.Cli.Model;
using Mtl.Cli.Output;

namespace Mtl.Cli.Commands;

/// <summary>Lists what a config can name, from the registries, with every option's key, type and default.</summary>
public static class ListCommand
{
    internal const string Help = """
        List the datasets, trunks, architectures, strategies, optimizers, schedules and task schedulers a config can name.

        Entries come from the registries, so new architectures and strategies appear as soon as they are registered;
        each option is shown with its key, type and default.

        Examples:
          mtl list
          mtl list strategies
          mtl list architectures
          mtl list schedulers
        """;

    /// <summary>The kinds <c>mtl list</c> knows, in the order they are printed.</summary>
    public static readonly string[] Kinds = ["datasets", "trunks", "architectures", "strategies", "optimizers", "schedules", "schedulers"];

    internal static Command Create(CliIO io)
    {
        var kind = new Argument<string?>("KIND") { Description = $"what to list: {string.Join(", ", Kinds)} (default: all)", Arity = ArgumentArity.ZeroOrOne };
        kind.AcceptOnlyFromAmong(Kinds);
        var command = new Command("list", Help) { kind };
        command.SetAction(r => Run(r.GetValue(kind), io));
        return command;
    }

    /// <summary>The catalog behind each kind.</summary>
    internal static Catalog CatalogOf(string kind) => kind switch
    {
        "datasets" => DatasetCatalog.Catalog,
        "trunks" => TrunkCatalog.Catalog,
        "architectures" => RegistryCatalogs.Architectures,
        "strategies" => RegistryCatalogs.Strategies,
        "optimizers" => OptimizerCatalog.Catalog,
        "schedules" => ScheduleCatalog.Catalog,
        "schedulers" => RegistryCatalogs.Schedulers,
        _ => throw new ConfigException(null, $"unknown list '{kind}'; allowed: {string.Join(", ", Kinds)}"),
    };

    /// <summary>Runs <c>mtl list</c>; returns the exit code.</summary>
    public static int Run(string? kind, CliIO io) => CommandGuard.Run(io, () =>
    {
        var kinds = kind is null ? Kinds : [kind];
        for (int i = 0; i < kinds.Length; i++)
        {
            if (i > 0) io.Out.WriteLine();
            Write(io.Out, kinds[i], CatalogOf(kinds[i]));
        }
        return ExitCodes.Ok;
    });

    private static void Write(TextWriter w, string kind, Catalog catalog)
    {
        w.WriteLine($"{kind} ({catalog.Section}.name):");
        foreach (var e in catalog.Entries)
        {
            w.WriteLine($"  {e.Name} — {e.Summary}");
            var fields = OptionsSchema.Fields(e.OptionsType);
            if (fields.Count == 0) { w.WriteLine("      (no options)"); continue; }
            var defaults = OptionsSchema.Defaults(e.OptionsType);
            var rows = fields.Select(f => new[] { f.Key, OptionsSchema.TypeName(f.Type, f.Nullable), YamlText.Format(f.Property.GetValue(defaults)) }).ToList();
            int k = rows.Max(r => r[0].Length), t = rows.Max(r => r[1].Length);
            foreach (var r in rows) w.WriteLine($"      {r[0].PadRight(k)}  {r[1].PadRight(t)}  = {r[2]}");
        }
    }
}
