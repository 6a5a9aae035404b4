// Reads a YAML run config (or the built-in default), applies --set overrides and validates it against the registries.
using System.Reflection;
using Mtl.Cli.Data;
using Mtl.Cli.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mtl.Cli.Config;

/// <summary>
/// Turns YAML into a <see cref="RunConfig"/>. Every mistake — an unknown key, a value of the wrong type, an unknown
/// dataset/trunk/architecture/strategy/optimizer/schedule name, a missing required value, a task the data does not
/// have — is a <see cref="ConfigException"/> naming the file, line and column (or the override) and what is allowed.
/// Sections left out take their defaults: trunk from the dataset, architecture <c>hard</c>, strategy <c>ew</c>,
/// optimizer <c>sgd</c>, no schedule; only <c>data</c> is required.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The name errors use for the built-in default example.</summary>
    public const string BuiltInName = "<built-in default>";

    /// <summary>The sections that name a catalog entry (and accept the shorthand <c>section: NAME</c>).</summary>
    internal static readonly string[] ChoiceSections = ["data", "data.scheduler", "trunk", "architecture", "strategy", "optimizer", "schedule"];

    /// <summary>The built-in default example (the same file as examples/default.yaml, embedded at build time).</summary>
    public static string DefaultYaml { get; } = ReadDefault();

    /// <summary>Reads <paramref name="path"/> with <paramref name="overrides"/> (<c>KEY.PATH=VALUE</c>) applied.</summary>
    /// <exception cref="ConfigException">The file is missing or holds a mistake.</exception>
    public static RunConfig LoadFile(string path, IReadOnlyList<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new ConfigException(null, $"config file not found: {path}");
        return LoadText(File.ReadAllText(path), path, Path.GetFileNameWithoutExtension(path), overrides);
    }

    /// <summary>The built-in default example with <paramref name="overrides"/> applied.</summary>
    public static RunConfig LoadDefault(IReadOnlyList<string>? overrides = null) => LoadText(DefaultYaml, BuiltInName, "default", overrides);

    /// <summary>Parses <paramref name="yaml"/>; <paramref name="displayPath"/> names it in errors, <paramref name="defaultName"/> is the run name when it sets none.</summary>
    public static RunConfig LoadText(string yaml, string displayPath, string defaultName, IReadOnlyList<string>? overrides = null)
    {
        var source = new ConfigSource(displayPath);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ConfigException($"{displayPath}:{e.Start.Line}:{e.Start.Column}", $"not valid YAML: {YamlMessage(e)}"); }
        YamlMappingNode root;
        if (stream.Documents.Count == 0 || ValueConverter.IsNull(stream.Documents[0].RootNode)) root = new YamlMappingNode();
        else root = stream.Documents[0].RootNode as YamlMappingNode
            ?? throw source.Error(stream.Documents[0].RootNode, "a config must be a mapping of sections (data:, architecture:, …)");
        Overrides.Apply(root, overrides ?? [], source, ChoiceSections);
        return new Reader(source).Read(root, defaultName);
    }

    /// <summary>YamlDotNet's message without its "(Line: …) - (Line: …): " prefix.</summary>
    internal static string YamlMessage(YamlException e)
    {
        var m = e.Message;
        int i = m.IndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line", StringComparison.Ordinal) && i >= 0 ? m[(i + 3)..] : m;
    }

    private static string ReadDefault()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("default.yaml")
            ?? throw new InvalidOperationException("the built-in default config (default.yaml) is not embedded in the mtl assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed class Reader(ConfigSource source)
    {
        private readonly OptionsBinder _binder = new(source);
        private readonly ValueConverter _values = new(source);
        private readonly Dictionary<string, string> _locations = new(StringComparer.Ordinal);

        public RunConfig Read(YamlMappingNode root, string defaultName)
        {
            var nodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in root.Children)
            {
                string key = _binder.KeyOf(k);
                if (!RunConfig.TopKeys.Contains(key))
                    throw source.Error(k, $"unknown key '{key}' at the top level; allowed: {string.Join(", ", RunConfig.TopKeys)}");
                nodes[key] = v;
                _locations[key] = source.Where(v);
            }
            YamlNode? Node(string key) => nodes.TryGetValue(key, out var n) ? n : null;

            string name = Node("name") is { } n ? (string?)_values.Convert(n, typeof(string), false, "name")! : defaultName;
            if (name.Length == 0 || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')) || name.StartsWith('.'))
                throw new ConfigException(Node("name") is { } at ? source.Where(at) : source.Path,
                    $"'name' names the run folder: use letters, digits, '-', '_' and '.', got '{name}'");
            ulong seed = Node("seed") is { } s ? (ulong)_values.Convert(s, typeof(ulong), false, "seed")! : 0;
            bool baselines = Node("baselines") is { } b && (bool)_values.Convert(b, typeof(bool), false, "baselines")!;
            bool fallback = Node("fallback") is { } fb && (bool)_values.Convert(fb, typeof(bool), false, "fallback")!;

            var dataNode = Node("data") ?? throw new ConfigException($"{source.Path}:1:1",
                $"missing section 'data' (what to train on); allowed: {DatasetCatalog.Catalog.Names}");
            var (schedulerKey, schedulerNode) = Detach(dataNode, "scheduler");
            var data = Choose(dataNode, DatasetCatalog.Catalog, null, e => DatasetCatalog.Get(e).MultiInput ? ["scheduler"] : []);
            var dataset = DatasetCatalog.Get(data.Name);
            var taskScheduler = TaskScheduler(schedulerKey, schedulerNode, dataset, data.Options);
            var trunk = Choose(Node("trunk"), TrunkCatalog.Catalog, dataset.DefaultTrunk);
            var architecture = Choose(Node("architecture"), RegistryCatalogs.Architectures, "hard");
            var strategy = Choose(Node("strategy"), RegistryCatalogs.Strategies, "ew");
            var optimizer = Choose(Node("optimizer"), OptimizerCatalog.Catalog, "sgd");
            var schedule = Node("schedule") is { } sch && !ValueConverter.IsNull(sch) ? Choose(sch, ScheduleCatalog.Catalog, null) : null;
            var trainer = Node("trainer") is { } t && !ValueConverter.IsNull(t)
                ? (TrainerSettings)_binder.Bind(typeof(TrainerSettings), Mapping(t, "trainer"), "trainer")
                : new TrainerSettings();
            var transfer = Node("transfer") is { } tr && !ValueConverter.IsNull(tr)
                ? ResolveFrom((TransferSettings)_binder.Bind(typeof(TransferSettings), Mapping(tr, "transfer"), "transfer"))
                : new TransferSettings();
            var (distill, teacherTrunk) = Distill(Node("distill"));
            var tasks = Tasks(Node("tasks"), data.Name, dataset.TaskNames(data.Options), strategy.Name);
            return new RunConfig
            {
                Name = name, Seed = seed, Baselines = baselines, Fallback = fallback, Data = data, TaskScheduler = taskScheduler, Tasks = tasks, Trunk = trunk, Architecture = architecture,
                Strategy = strategy, Optimizer = optimizer, Schedule = schedule, Transfer = transfer, Distill = distill, TeacherTrunk = teacherTrunk, Trainer = trainer, Locations = _locations, SourcePath = source.Path,
            };
        }

        // A relative `transfer.from` is relative to the config file's folder (the working folder for the built-in
        // default), made absolute so that the run folder's config.yaml still finds it.
        private TransferSettings ResolveFrom(TransferSettings t)
        {
            if (t.From is not { } from || Path.IsPathRooted(from)) return t;
            string folder = source.Path == BuiltInName ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(source.Path))!;
            return t with { From = Path.GetFullPath(Path.Combine(folder, from)) };
        }

        // `distill` (its `teacher_trunk` taken out first and read as a trunk choice); teacher run folders made absolute
        // against the config file's folder, like transfer.from.
        private (DistillSettings, Choice?) Distill(YamlNode? node)
        {
            if (node is null || ValueConverter.IsNull(node)) return (new DistillSettings(), null);
            var (trunkKey, trunkNode) = Detach(Mapping(node, "distill"), "teacher_trunk");
            var settings = (DistillSettings)_binder.Bind(typeof(DistillSettings), Mapping(node, "distill"), "distill");
            if (!DistillSettings.TeacherKinds.Contains(settings.Teachers))
                throw source.Error(node, $"'distill.teachers' must be one of {string.Join(", ", DistillSettings.TeacherKinds)}, got '{settings.Teachers}'");
            if (settings.Teachers != "none" && settings.TeacherRuns.Length > 0)
                throw source.Error(node, "'distill': give either teachers: single_task or teacher_runs, not both");
            if (!(settings.Temperature > 0) || double.IsInfinity(settings.Temperature))
                throw source.Error(node, $"'distill.temperature' must be positive, got {settings.Temperature}");
            if (!(settings.Alpha >= 0 && settings.Alpha <= 1))
                throw source.Error(node, $"'distill.alpha' must be in [0, 1], got {settings.Alpha}");
            if (settings.TeacherEpochs is < 0) throw source.Error(node, $"'distill.teacher_epochs' must be 0 or more, got {settings.TeacherEpochs}");
            Choice? trunk = null;
            if (trunkNode is not null && !ValueConverter.IsNull(trunkNode))
            {
                if (settings.Teachers != "single_task")
                    throw source.Error(trunkKey!, "'distill.teacher_trunk' applies to teachers: single_task (teacher_runs bring their own models)");
                _locations["distill.teacher_trunk"] = source.Where(trunkNode);
                trunk = Choose(trunkNode, TrunkCatalog.Catalog, null);
            }
            string folder = source.Path == BuiltInName ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(source.Path))!;
            return (settings with { TeacherRuns = settings.TeacherRuns.Select(r => Path.GetFullPath(Path.Combine(folder, r))).ToArray() }, trunk);
        }

        // `data.scheduler` (taken out of the data mapping before the dataset's options are bound): multi-input data only,
        // and only with one batch per task per step, since the scheduler picks which tasks take a batch.
        private Choice? TaskScheduler(YamlNode? key, YamlNode? node, DatasetEntry dataset, object options)
        {
            if (key is null || node is null || ValueConverter.IsNull(node)) return null;
            _locations["data.scheduler"] = source.Where(node);
            if (!dataset.MultiInput)
                throw source.Error(key, $"'data.scheduler' applies to multi-input data only (each task with its own inputs, e.g. dataset 'text'); " +
                    $"dataset '{dataset.Name}' is joint: every batch carries every task's labels, so there is no task to schedule");
            var choice = Choose(node, RegistryCatalogs.Schedulers, null);
            if (!dataset.PerTaskSteps!(options))
                throw source.Error(key, $"'data.scheduler' picks the tasks of each step, so it needs one batch per task: set data.batching: per_task (mixed batches carry every task)");
            return choice;
        }

        // Removes `key` from a mapping section and returns its key and value nodes (nulls when absent).
        private static (YamlNode? Key, YamlNode? Value) Detach(YamlNode node, string key)
        {
            if (node is not YamlMappingNode map) return (null, null);
            var k = map.Children.Keys.FirstOrDefault(n => n is YamlScalarNode { Value: { } v } && v == key);
            if (k is null) return (null, null);
            var value = map.Children[k];
            map.Children.Remove(k);
            return (k, value);
        }

        // A section that names a catalog entry: `section: NAME`, or a mapping with `name:` and the entry's options;
        // `extraKeys` names keys of the entry's section that the caller handles (listed among the allowed keys).
        private Choice Choose(YamlNode? node, Catalog catalog, string? defaultName, Func<string, string[]>? extraKeys = null)
        {
            string section = catalog.Section;
            if (node is null || ValueConverter.IsNull(node))
            {
                if (defaultName is null) throw new ConfigException(node is null ? source.Path : source.Where(node), $"missing key 'name' in '{section}'; allowed: {catalog.Names}");
                return new Choice(defaultName, OptionsSchema.Defaults(catalog.Find(defaultName)!.OptionsType));
            }
            YamlNode? nameNode;
            YamlMappingNode? map = null;
            if (node is YamlScalarNode) nameNode = node;
            else
            {
                map = Mapping(node, section);
                map.Children.TryGetValue(new YamlScalarNode("name"), out nameNode);
            }
            string name;
            if (nameNode is null)
            {
                name = defaultName ?? throw source.Error(node, $"missing key 'name' in '{section}'; allowed: {catalog.Names}");
            }
            else name = (string)_values.Convert(nameNode, typeof(string), false, $"{section}.name")!;
            var entry = catalog.Find(name) ?? throw source.Error(nameNode!, $"unknown {catalog.Noun} '{name}' in '{section}.name'; allowed: {catalog.Names}");
            var options = map is null ? OptionsSchema.Defaults(entry.OptionsType) : _binder.Bind(entry.OptionsType, map, section, ["name", .. (extraKeys?.Invoke(name) ?? [])]);
            return new Choice(name, options);
        }

        private Dictionary<string, TaskSettings> Tasks(YamlNode? node, string dataset, IReadOnlyList<string> names, string strategy)
        {
            var given = new Dictionary<string, TaskSettings>(StringComparer.Ordinal);
            if (node is not null && !ValueConverter.IsNull(node))
            {
                foreach (var (k, v) in Mapping(node, "tasks").Children)
                {
                    string task = _binder.KeyOf(k);
                    if (!names.Contains(task))
                        throw source.Error(k, $"unknown task '{task}' in 'tasks'; dataset '{dataset}' has: {string.Join(", ", names)}");
                    var settings = ValueConverter.IsNull(v) ? new TaskSettings() : (TaskSettings)_binder.Bind(typeof(TaskSettings), Mapping(v, $"tasks.{task}"), $"tasks.{task}");
                    _locations[$"tasks.{task}"] = source.Where(v);
                    if (settings.Weight != 1 && strategy != "ew")
                    {
                        var at = v is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("weight"), out var w) ? w : v;
                        throw source.Error(at, $"'tasks.{task}.weight' applies with strategy 'ew' only; strategy '{strategy}' chooses the weights (for fixed weights use strategy 'static' with weights: [...])");
                    }
                    given[task] = settings;
                }
            }
            return names.ToDictionary(n => n, n => given.TryGetValue(n, out var s) ? s : new TaskSettings(), StringComparer.Ordinal);
        }

        private YamlMappingNode Mapping(YamlNode node, string section) => node as YamlMappingNode
            ?? throw source.Error(node, $"'{section}' must be a mapping of keys to values, got {ValueConverter.Show(node)}");
    }
}
