// Writes a resolved RunConfig as YAML (every default filled in): the run folder's config.yaml, read back by --resume.
using System.Text;

namespace Mtl.Cli.Config;

/// <summary>The resolved configuration as YAML, in <see cref="RunConfig.TopKeys"/> order; <see cref="ConfigLoader"/> reads it back unchanged.</summary>
public static class ConfigWriter
{
    /// <summary>The YAML text of <paramref name="config"/>.</summary>
    public static string ToYaml(RunConfig config)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# mtl run configuration, resolved: every default filled in. `mtl train --resume RUN_DIR` and `mtl eval` read it.");
        sb.AppendLine($"name: {YamlText.Scalar(config.Name)}");
        sb.AppendLine($"seed: {config.Seed}");
        sb.AppendLine($"baselines: {YamlText.Format(config.Baselines)}");
        if (config.Fallback) sb.AppendLine($"fallback: {YamlText.Format(config.Fallback)}");   // written only when on: older config.yaml files stay as they were
        Choice(sb, "data", config.Data);
        if (config.TaskScheduler is { } scheduler)
        {
            sb.AppendLine("  scheduler:");
            sb.AppendLine($"    name: {YamlText.Scalar(scheduler.Name)}");
            Fields(sb, scheduler.Options, "    ");
        }
        sb.AppendLine("tasks:");
        foreach (var (task, settings) in config.Tasks)
        {
            sb.AppendLine($"  {YamlText.Scalar(task)}:");
            Fields(sb, settings, "    ");
        }
        Choice(sb, "trunk", config.Trunk);
        Choice(sb, "architecture", config.Architecture);
        Choice(sb, "strategy", config.Strategy);
        Choice(sb, "optimizer", config.Optimizer);
        if (config.Schedule is null) sb.AppendLine("schedule: null");
        else Choice(sb, "schedule", config.Schedule);
        sb.AppendLine("transfer:");
        Fields(sb, config.Transfer, "  ");
        sb.AppendLine("distill:");
        Fields(sb, config.Distill, "  ");
        if (config.TeacherTrunk is { } teacherTrunk)
        {
            sb.AppendLine("  teacher_trunk:");
            sb.AppendLine($"    name: {YamlText.Scalar(teacherTrunk.Name)}");
            Fields(sb, teacherTrunk.Options, "    ");
        }
        sb.AppendLine("trainer:");
        Fields(sb, config.Trainer, "  ");
        return sb.ToString();
    }

    private static void Choice(StringBuilder sb, string section, Choice choice)
    {
        sb.AppendLine($"{section}:");
        sb.AppendLine($"  name: {YamlText.Scalar(choice.Name)}");
        Fields(sb, choice.Options, "  ");
    }

    private static void Fields(StringBuilder sb, object options, string indent)
    {
        foreach (var f in OptionsSchema.Fields(options.GetType()))
            sb.AppendLine($"{indent}{f.Key}: {YamlText.Format(f.Property.GetValue(options))}");
    }
}
