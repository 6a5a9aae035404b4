// Full training checkpoints in one safetensors file: model, named components, RNG states, step, epoch, config.
using System.Globalization;
using System.Text.Json;

namespace Mtl.NN.Serialization;

/// <summary>
/// Saves and loads a <see cref="CheckpointContent"/> as ONE safetensors file (written atomically):
/// <list type="bullet">
/// <item>tensors: <c>model.{key}</c> for the model, <c>{component}.{key}</c> for each component (e.g.
/// <c>optim.exp_avg.0</c>, <c>sched.*</c>); each state dict's string values go to metadata under the same prefix;</item>
/// <item>metadata: <c>mtl.format</c> = <c>mtl-checkpoint/1</c>, <c>mtl.step</c>, <c>mtl.epoch</c>,
/// <c>mtl.config</c> (JSON), <c>mtl.components</c> (comma-separated names, so empty components survive), and
/// <c>mtl.rng.{name}</c> = four 16-digit lower-case hex words separated by ',' for each generator.</item>
/// </list>
/// Load validates everything (format key and version, numbers, JSON, RNG states non-zero, every entry belongs to the
/// model or a listed component, no unknown <c>mtl.*</c> key) and throws <see cref="CheckpointException"/>; a file
/// that is not valid safetensors at all throws <see cref="SafeTensorsFormatException"/>.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>Metadata key holding the format identifier.</summary>
    public const string FormatKey = "mtl.format";

    /// <summary>The format identifier this build writes and reads.</summary>
    public const string FormatVersion = "mtl-checkpoint/1";

    private const string ModelPrefix = "model.";
    private const string StepKey = "mtl.step", EpochKey = "mtl.epoch", ConfigKey = "mtl.config", ComponentsKey = "mtl.components", RngPrefix = "mtl.rng.";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, CheckpointContent content) => SafeTensors.Save(path, ToStateDict(content));

    /// <summary>Reads and validates the checkpoint at <paramref name="path"/>.</summary>
    public static CheckpointContent Load(string path) => FromStateDict(SafeTensors.Load(path), $"'{path}'");

    /// <summary>The flat state dict a checkpoint is stored as (validates the content; ArgumentException if invalid).</summary>
    public static StateDict ToStateDict(CheckpointContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Step < 0) throw new ArgumentException($"checkpoint save: step must be non-negative, got {content.Step}");
        if (content.Epoch < 0) throw new ArgumentException($"checkpoint save: epoch must be non-negative, got {content.Epoch}");
        if (!IsJson(content.ConfigJson)) throw new ArgumentException("checkpoint save: ConfigJson is not a valid JSON document");
        var sd = new StateDict();
        sd.AddAll(content.Model ?? throw new ArgumentException("checkpoint save: Model is null"), ModelPrefix);
        foreach (var (name, comp) in content.Components)
        {
            if (NameProblem(name) is { } p) throw new ArgumentException($"checkpoint save: component name '{name}' {p}");
            sd.AddAll(comp ?? throw new ArgumentException($"checkpoint save: component '{name}' is null"), name + ".");
        }
        foreach (var (name, state) in content.Generators)
        {
            if (NameProblem(name) is { } p) throw new ArgumentException($"checkpoint save: generator name '{name}' {p}");
            if (state is null || state.Length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0)
                throw new ArgumentException($"checkpoint save: generator '{name}' state must be 4 words, not all zero");
            sd.Values[RngPrefix + name] = string.Join(",", state.Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));
        }
        sd.Values[FormatKey] = FormatVersion;
        sd.Values[StepKey] = content.Step.ToString(CultureInfo.InvariantCulture);
        sd.Values[EpochKey] = content.Epoch.ToString(CultureInfo.InvariantCulture);
        sd.Values[ConfigKey] = content.ConfigJson;
        sd.Values[ComponentsKey] = string.Join(",", content.Components.Keys);
        return sd;
    }

    /// <summary>
    /// Validates a flat checkpoint state dict (as read from a file) and splits it into its parts;
    /// <paramref name="sourceName"/> names it in <see cref="CheckpointException"/> messages.
    /// </summary>
    public static CheckpointContent FromStateDict(StateDict state, string sourceName = "state dict")
    {
        ArgumentNullException.ThrowIfNull(state);
        string src = $"checkpoint {sourceName}";
        var v = state.Values;
        if (!v.TryGetValue(FormatKey, out var format))
            throw new CheckpointException($"{src}: not an Mtl checkpoint (metadata key '{FormatKey}' is missing)");
        if (format != FormatVersion)
            throw new CheckpointException(format.StartsWith("mtl-checkpoint/", StringComparison.Ordinal)
                ? $"{src}: unsupported checkpoint version '{Cut(format)}' (this build reads {FormatVersion})"
                : $"{src}: '{FormatKey}' is '{Cut(format)}', not an Mtl checkpoint format");

        var content = new CheckpointContent
        {
            Step = long.TryParse(Require(v, StepKey, src), NumberStyles.None, CultureInfo.InvariantCulture, out long step)
                ? step : throw new CheckpointException($"{src}: '{StepKey}' = '{Cut(v[StepKey])}' is not a non-negative integer"),
            Epoch = int.TryParse(Require(v, EpochKey, src), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
                ? epoch : throw new CheckpointException($"{src}: '{EpochKey}' = '{Cut(v[EpochKey])}' is not a non-negative int32"),
            ConfigJson = IsJson(Require(v, ConfigKey, src)) ? v[ConfigKey] : throw new CheckpointException($"{src}: '{ConfigKey}' is not a valid JSON document"),
        };

        string list = Require(v, ComponentsKey, src);
        foreach (var name in list.Length == 0 ? [] : list.Split(','))
        {
            if (NameProblem(name) is { } p) throw new CheckpointException($"{src}: component name '{Cut(name)}' in '{ComponentsKey}' {p}");
            if (!content.Components.TryAdd(name, new StateDict())) throw new CheckpointException($"{src}: component '{name}' is listed twice in '{ComponentsKey}'");
        }

        foreach (var (key, value) in v)
        {
            if (!key.StartsWith("mtl.", StringComparison.Ordinal))
            {
                Route(content, key, src, "metadata key").Values[key[(key.IndexOf('.') + 1)..]] = value;
                continue;
            }
            if (key is FormatKey or StepKey or EpochKey or ConfigKey or ComponentsKey) continue;
            if (!key.StartsWith(RngPrefix, StringComparison.Ordinal))
                throw new CheckpointException($"{src}: unknown reserved metadata key '{Cut(key)}'");
            string name = key[RngPrefix.Length..];
            if (NameProblem(name) is { } p) throw new CheckpointException($"{src}: generator name '{Cut(name)}' {p}");
            content.Generators[name] = ParseRng(value) ?? throw new CheckpointException(
                $"{src}: generator '{name}': state '{Cut(value)}' is not 4 comma-separated 16-digit hex words, not all zero");
        }
        foreach (var (key, t) in state.Tensors)
            Route(content, key, src, "tensor")[key[(key.IndexOf('.') + 1)..]] = t;
        return content;
    }

    // The state dict a flat key belongs to: the model or a listed component.
    private static StateDict Route(CheckpointContent content, string key, string src, string what)
    {
        if (key.StartsWith(ModelPrefix, StringComparison.Ordinal)) return content.Model;
        int dot = key.IndexOf('.');
        if (dot > 0 && content.Components.TryGetValue(key[..dot], out var sd)) return sd;
        string comps = content.Components.Count == 0 ? "none" : string.Join(", ", content.Components.Keys);
        throw new CheckpointException($"{src}: {what} '{Cut(key)}' belongs to neither the model nor a listed component (components: {comps})");
    }

    private static string Require(Dictionary<string, string> v, string key, string src) =>
        v.TryGetValue(key, out var s) ? s : throw new CheckpointException($"{src}: metadata key '{key}' is missing");

    private static ulong[]? ParseRng(string s)
    {
        var parts = s.Split(',');
        if (parts.Length != 4) return null;
        var words = new ulong[4];
        for (int i = 0; i < 4; i++)
            if (parts[i].Length != 16 || !ulong.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]))
                return null;
        return (words[0] | words[1] | words[2] | words[3]) == 0 ? null : words;
    }

    /// <summary>Why a component or generator name is unusable, or null if it is fine.</summary>
    internal static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name)) return "is empty";
        if (name is "model" or "mtl") return "is reserved";
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                return "may only contain ASCII letters, digits, '_' and '-'";
        return null;
    }

    private static bool IsJson(string? s)
    {
        if (s is null) return false;
        try
        {
            using var _ = JsonDocument.Parse(s);
            return true;
        }
        catch (JsonException) { return false; }
    }

    private static string Cut(string s) => SafeTensorsHeaderReader.Shorten(s);
}
