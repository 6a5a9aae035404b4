// Saves and loads a FittedTabularTransform as JSON so prediction reuses the training categories and statistics.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mtl.Data;

public sealed partial class FittedTabularTransform
{
    /// <summary>The format identifier written to and required in saved transforms.</summary>
    public const string JsonFormat = "mtl-tabular-transform/1";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keeps "<unk>" and non-ASCII categories readable
    };

    private sealed class TransformDto
    {
        public string? Format { get; set; }
        public string? Separator { get; set; }
        public bool Standardize { get; set; }
        public List<FeatureDto>? Features { get; set; }
        public List<TaskDto>? Tasks { get; set; }
    }

    private sealed class FeatureDto
    {
        public string? Column { get; set; }
        public string? Kind { get; set; }
        public string? Encoding { get; set; }
        public string? Unknown { get; set; }
        public bool? FixedCategories { get; set; }
        public List<string>? Categories { get; set; }
        public double? Mean { get; set; }
        public double? Std { get; set; }
    }

    private sealed class TaskDto
    {
        public string? Name { get; set; }
        public string? Column { get; set; }
        public string? Kind { get; set; }
        public bool? FixedClasses { get; set; }
        public List<string>? Classes { get; set; }
    }

    /// <summary>The transform as a JSON document (schema, categories, class lists, means and standard deviations).</summary>
    public string ToJson()
    {
        var dto = new TransformDto
        {
            Format = JsonFormat,
            Separator = Schema.Separator.ToString(),
            Standardize = Schema.Standardize,
            Features = _features.Select(f => f.Spec.Kind == TabularFeatureKind.Numeric
                ? new FeatureDto { Column = f.Spec.Column, Kind = "numeric", Mean = f.Mean, Std = f.Std }
                : new FeatureDto
                {
                    Column = f.Spec.Column, Kind = "categorical",
                    Encoding = f.Spec.Encoding == CategoricalEncoding.OneHot ? "one-hot" : "index",
                    Unknown = f.HasUnknown ? "map-to-unk" : "error",
                    FixedCategories = f.Spec.Categories is not null,
                    Categories = [.. f.HasUnknown ? f.Categories.Skip(1) : f.Categories],
                }).ToList(),
            Tasks = _tasks.Select(t => t.Spec.Kind == TabularTaskKind.Regression
                ? new TaskDto { Name = t.Spec.Name, Column = t.Spec.Column, Kind = "regression" }
                : new TaskDto { Name = t.Spec.Name, Column = t.Spec.Column, Kind = "classification", FixedClasses = t.Spec.Classes is not null, Classes = [.. t.Classes] }).ToList(),
        };
        return JsonSerializer.Serialize(dto, JsonOptions);
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (via a temp file, so a failed write leaves any old file intact).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        File.WriteAllText(temp, ToJson(), StrictUtf8.Encoding);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a transform saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is not a valid saved transform (the message says what is wrong).</exception>
    public static FittedTabularTransform Load(string path) => FromJson(StrictUtf8.ReadAllText(path, "tabular transform"), path);

    /// <summary>Parses a transform from <paramref name="json"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static FittedTabularTransform FromJson(string json, string sourceName = "tabular transform JSON")
    {
        TransformDto? dto;
        try { dto = JsonSerializer.Deserialize<TransformDto>(json, JsonOptions); }
        catch (JsonException e) { throw new DataFileException(sourceName, e.LineNumber + 1, null, $"not valid JSON ({e.Message}); expected a saved tabular transform", e); }
        DataFileException Bad(string problem) => new(sourceName, null, null, problem);
        if (dto?.Format != JsonFormat) throw Bad($"format is {(dto?.Format is null ? "missing" : DataFileException.Quote(dto.Format))}; expected '{JsonFormat}'");
        if (dto.Separator is not { Length: 1 }) throw Bad($"separator must be one character, got {(dto.Separator is null ? "none" : DataFileException.Quote(dto.Separator))}");
        if (dto.Features is null || dto.Tasks is null) throw Bad("expected 'features' and 'tasks' lists");
        var schema = new TabularSchema { Separator = dto.Separator[0], Standardize = dto.Standardize };
        var fitted = new List<(string[], double, double)>();
        try
        {
            foreach (var f in dto.Features)
            {
                if (f.Column is null) throw Bad("a feature has no 'column'");
                if (f.Kind == "numeric")
                {
                    if (f.Mean is not { } mean || f.Std is not { } std || !double.IsFinite(mean) || !(std > 0) || !double.IsFinite(std))
                        throw Bad($"numeric feature '{f.Column}' needs a finite 'mean' and a positive finite 'std'");
                    schema.Add(new TabularFeature(f.Column, TabularFeatureKind.Numeric));
                    fitted.Add(([], mean, std));
                }
                else if (f.Kind == "categorical")
                {
                    var encoding = f.Encoding switch
                    {
                        "one-hot" => CategoricalEncoding.OneHot,
                        "index" => CategoricalEncoding.Index,
                        _ => throw Bad($"categorical feature '{f.Column}' has encoding {DataFileException.Quote(f.Encoding ?? "")}; expected 'one-hot' or 'index'"),
                    };
                    var unknown = f.Unknown switch
                    {
                        "map-to-unk" => UnknownCategoryPolicy.MapToUnknown,
                        "error" => UnknownCategoryPolicy.Error,
                        _ => throw Bad($"categorical feature '{f.Column}' has unknown policy {DataFileException.Quote(f.Unknown ?? "")}; expected 'map-to-unk' or 'error'"),
                    };
                    var cats = f.Categories?.ToArray() ?? throw Bad($"categorical feature '{f.Column}' has no 'categories'");
                    if (cats.Distinct(StringComparer.Ordinal).Count() != cats.Length || cats.Contains(UnknownCategory))
                        throw Bad($"categorical feature '{f.Column}' categories must be distinct and must not list '{UnknownCategory}', got: {ListForMessage(cats)}");
                    schema.Add(new TabularFeature(f.Column, TabularFeatureKind.Categorical, encoding, unknown, f.FixedCategories == true ? cats : null));
                    fitted.Add((unknown == UnknownCategoryPolicy.MapToUnknown ? [UnknownCategory, .. cats] : cats, 0, 1));
                }
                else throw Bad($"feature '{f.Column}' has kind {DataFileException.Quote(f.Kind ?? "")}; expected 'numeric' or 'categorical'");
            }
            var classes = new List<string[]>();
            foreach (var t in dto.Tasks)
            {
                if (t.Name is null || t.Column is null) throw Bad("a task has no 'name' or 'column'");
                if (t.Kind == "regression") { schema.Add(new TabularTask(t.Name, t.Column, TabularTaskKind.Regression)); classes.Add([]); }
                else if (t.Kind == "classification")
                {
                    var list = t.Classes?.ToArray() ?? throw Bad($"classification task '{t.Name}' has no 'classes'");
                    if (list.Length < 2 || list.Distinct(StringComparer.Ordinal).Count() != list.Length)
                        throw Bad($"classification task '{t.Name}' needs at least 2 distinct classes, got: {ListForMessage(list)}");
                    schema.Add(new TabularTask(t.Name, t.Column, TabularTaskKind.Classification, t.FixedClasses == true ? list : null));
                    classes.Add(list);
                }
                else throw Bad($"task '{t.Name}' has kind {DataFileException.Quote(t.Kind ?? "")}; expected 'classification' or 'regression'");
            }
            schema.Validate();
            return new FittedTabularTransform(schema, fitted, classes);
        }
        catch (ArgumentException e) { throw new DataFileException(sourceName, null, null, $"invalid schema: {e.Message}", e); }
    }
}
