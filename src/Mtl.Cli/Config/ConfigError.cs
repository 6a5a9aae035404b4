// The error every config mistake becomes: where it is (file:line:column or the --set override) and what is wrong.
namespace Mtl.Cli.Config;

/// <summary>
/// A mistake in a run configuration (YAML file, built-in default or <c>--set</c> override). The message starts with
/// the place — <c>examples/bad.yaml:7:5</c> or <c>--set optimizer.lr=fast</c> — and names the allowed keys or values,
/// e.g. <c>examples/bad.yaml:7:5: unknown key 'lr_rate' in 'optimizer'; allowed: name, lr, weight_decay, …</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>A mistake at <paramref name="location"/> (null when it has no place, e.g. a missing file).</summary>
    public ConfigException(string? location, string problem, Exception? inner = null)
        : base(location is null ? problem : $"{location}: {problem}", inner)
    {
        Location = location;
        Problem = problem;
    }

    /// <summary>Where the mistake is: <c>FILE:LINE:COLUMN</c> or <c>--set KEY=VALUE</c>; null when it has no place.</summary>
    public string? Location { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string Problem { get; }
}
