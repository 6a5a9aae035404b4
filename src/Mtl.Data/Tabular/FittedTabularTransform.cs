// A tabular schema fitted on training data (categories, class lists, mean/std) that turns any table into a TabularDataset.
using System.Globalization;

namespace Mtl.Data;

/// <summary>
/// What a <see cref="TabularSchema"/> learns from the TRAINING table only — the categories of each categorical
/// feature, the class list of each classification task whose classes the schema does not fix, and the mean and
/// (population) standard deviation of each numeric feature — applied unchanged to training, validation, test and
/// prediction tables, so no statistic leaks from held-out data. Save it with <see cref="Save"/> next to a trained
/// model and <see cref="Load"/> it at prediction time.
/// <para>A numeric feature with zero variance in the training data gets std 1 (it becomes 0 after centring).
/// Immutable and thread-safe once built.</para>
/// </summary>
public sealed partial class FittedTabularTransform
{
    /// <summary>The reserved category that unseen values map to under <see cref="UnknownCategoryPolicy.MapToUnknown"/>.</summary>
    public const string UnknownCategory = "<unk>";

    private readonly FeaturePlan[] _features;
    private readonly TaskPlan[] _tasks;
    private readonly string[] _featureNames;
    private readonly TaskLabels[] _taskLabels;

    /// <summary>A fitted feature: the category list (with <c>&lt;unk&gt;</c> first when mapped) or the statistics.</summary>
    internal sealed class FeaturePlan(TabularFeature spec, string[] categories, double mean, double std, int offset)
    {
        public TabularFeature Spec { get; } = spec;
        public string[] Categories { get; } = categories;
        public Dictionary<string, int> CategoryIndex { get; } =
            categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        public bool HasUnknown => Spec.Unknown == UnknownCategoryPolicy.MapToUnknown;
        public double Mean { get; } = mean;
        public double Std { get; } = std;
        public int Offset { get; } = offset;
        public int Width => Spec.Kind == TabularFeatureKind.Categorical && Spec.Encoding == CategoricalEncoding.OneHot ? Categories.Length : 1;
    }

    /// <summary>A fitted task: its class list (classification) or nothing (regression).</summary>
    internal sealed class TaskPlan(TabularTask spec, string[] classes)
    {
        public TabularTask Spec { get; } = spec;
        public string[] Classes { get; } = classes;
        public Dictionary<string, int> ClassIndex { get; } =
            classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
    }

    internal FittedTabularTransform(TabularSchema schema, IEnumerable<(string[] Categories, double Mean, double Std)> features, IEnumerable<string[]> classes)
    {
        Schema = schema = schema.Clone();
        int offset = 0;
        var plans = new List<FeaturePlan>();
        foreach (var (spec, fit) in schema.Features.Zip(features))
        {
            var plan = new FeaturePlan(spec, fit.Categories, fit.Mean, fit.Std, offset);
            plans.Add(plan);
            offset += plan.Width;
        }
        _features = plans.ToArray();
        _tasks = schema.Tasks.Zip(classes, (t, c) => new TaskPlan(t, c)).ToArray();
        _featureNames = _features.SelectMany(FeatureNamesOf).ToArray();
        _taskLabels = _tasks.Select(t => t.Spec.Kind == TabularTaskKind.Classification
            ? new TaskLabels(t.Spec.Name, LabelKind.ClassIndex, t.Classes.Length, 1, t.Classes)
            : new TaskLabels(t.Spec.Name, LabelKind.FloatVector, 0, 1)).ToArray();
    }

    /// <summary>A copy of the schema this transform was fitted from.</summary>
    public TabularSchema Schema { get; }

    /// <summary>Length of the encoded feature vector.</summary>
    public int FeatureCount => _featureNames.Length;

    /// <summary>Names of the encoded features: the column name, or <c>column=category</c> for one-hot columns.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The tasks as the produced datasets describe them (class lists included).</summary>
    public IReadOnlyList<TaskLabels> Tasks => _taskLabels;

    /// <summary>The categories of categorical feature <paramref name="column"/> (index = encoded index; <c>&lt;unk&gt;</c> first when mapped).</summary>
    public IReadOnlyList<string> CategoriesOf(string column) => Feature(column, TabularFeatureKind.Categorical).Categories;

    /// <summary>The training mean and standard deviation of numeric feature <paramref name="column"/>.</summary>
    public (double Mean, double Std) StatisticsOf(string column)
    {
        var f = Feature(column, TabularFeatureKind.Numeric);
        return (f.Mean, f.Std);
    }

    /// <summary>The class list of classification task <paramref name="taskName"/>.</summary>
    public IReadOnlyList<string> ClassesOf(string taskName) =>
        _tasks.FirstOrDefault(t => t.Spec.Name == taskName && t.Spec.Kind == TabularTaskKind.Classification)?.Classes
        ?? throw new ArgumentException($"tabular transform: no classification task named '{taskName}'");

    private FeaturePlan Feature(string column, TabularFeatureKind kind) =>
        _features.FirstOrDefault(f => f.Spec.Column == column && f.Spec.Kind == kind)
        ?? throw new ArgumentException($"tabular transform: no {kind.ToString().ToLowerInvariant()} feature column named '{column}'");

    private static IEnumerable<string> FeatureNamesOf(FeaturePlan f) =>
        f.Spec.Kind == TabularFeatureKind.Categorical && f.Spec.Encoding == CategoricalEncoding.OneHot
            ? f.Categories.Select(c => $"{f.Spec.Column}={c}")
            : [f.Spec.Column];

    /// <summary>Learns categories, class lists and statistics from <paramref name="train"/>.</summary>
    /// <exception cref="ArgumentException">The schema declares no feature or no task.</exception>
    /// <exception cref="DataFileException">A schema column is missing, the table has no rows, a numeric value is not a
    /// number, or a learned class list has fewer than two classes.</exception>
    public static FittedTabularTransform Fit(TabularSchema schema, CsvTable train)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(train);
        schema.Validate();
        if (train.RowCount == 0)
            throw new DataFileException(train.SourceName, null, null, "the table has no data rows; expected at least one training row");
        var features = new List<(string[], double, double)>();
        foreach (var f in schema.Features)
        {
            int col = RequireColumn(train, f.Column);
            if (f.Kind == TabularFeatureKind.Numeric)
            {
                var values = new double[train.RowCount];
                for (int r = 0; r < values.Length; r++) values[r] = ParseNumber(train, r, col, "a finite number");
                double mean = values.Average();
                double var = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
                double std = Math.Sqrt(var);
                features.Add(([], mean, std > 1e-12 * Math.Max(1.0, Math.Abs(mean)) ? std : 1.0));
            }
            else
            {
                var known = f.Categories?.ToArray()
                    ?? DistinctCells(train, col).Where(c => c != UnknownCategory).Order(StringComparer.Ordinal).ToArray();
                features.Add((f.Unknown == UnknownCategoryPolicy.MapToUnknown ? [UnknownCategory, .. known] : known, 0, 1));
            }
        }
        var classes = new List<string[]>();
        foreach (var t in schema.Tasks)
        {
            int col = RequireColumn(train, t.Column);
            if (t.Kind == TabularTaskKind.Regression) { classes.Add([]); continue; }
            if (t.Classes is { } fixedClasses) { classes.Add(fixedClasses.ToArray()); continue; }
            var learned = DistinctCells(train, col).ToArray();
            if (learned.Length < 2)
                throw new DataFileException(train.SourceName, null, t.Column,
                    $"task '{t.Name}': the training labels hold {learned.Length} distinct class{(learned.Length == 1 ? $" ({DataFileException.Quote(learned[0])})" : "es")}; " +
                    "expected at least 2 to learn the class list (or fix the classes in the schema)");
            classes.Add(SortClasses(learned));
        }
        return new FittedTabularTransform(schema, features, classes);
    }

    /// <summary>
    /// Encodes <paramref name="table"/> with the fitted statistics. With <paramref name="requireLabels"/> false a label
    /// column absent from the table is allowed (e.g. at prediction time) and every sample's label is missing (mask 0).
    /// </summary>
    /// <exception cref="DataFileException">A schema column is missing, a numeric value is not a number, a category is
    /// unseen under <see cref="UnknownCategoryPolicy.Error"/>, or a label is outside the task's classes.</exception>
    public TabularDataset Transform(CsvTable table, bool requireLabels = true)
    {
        ArgumentNullException.ThrowIfNull(table);
        int n = table.RowCount, width = FeatureCount;
        var x = new float[(long)n * width];
        foreach (var f in _features)
        {
            int col = RequireColumn(table, f.Spec.Column);
            for (int r = 0; r < n; r++)
            {
                var row = x.AsSpan(r * width + f.Offset, f.Width);
                if (f.Spec.Kind == TabularFeatureKind.Numeric)
                {
                    double v = ParseNumber(table, r, col, "a finite number");
                    row[0] = (float)(Schema.Standardize ? (v - f.Mean) / f.Std : v);
                }
                else
                {
                    int k = CategoryIndex(f, table, r, col);
                    if (f.Spec.Encoding == CategoricalEncoding.OneHot) row[k] = 1f;
                    else row[0] = k;
                }
            }
        }
        var labels = new float[(long)n * _tasks.Length];
        var present = new bool[labels.Length];
        for (int t = 0; t < _tasks.Length; t++)
        {
            var task = _tasks[t];
            int col = table.ColumnIndex(task.Spec.Column);
            if (col < 0 && !requireLabels) continue;
            col = RequireColumn(table, task.Spec.Column);
            for (int r = 0; r < n; r++)
            {
                string cell = table.Cell(r, col).Trim();
                if (cell.Length == 0) continue;
                labels[r * _tasks.Length + t] = task.Spec.Kind == TabularTaskKind.Regression
                    ? (float)ParseNumber(table, r, col, $"a finite number (a regression label of task '{task.Spec.Name}') or an empty cell for a missing label")
                    : ClassIndex(task, table, r, col, cell);
                present[r * _tasks.Length + t] = true;
            }
        }
        var lines = Enumerable.Range(0, n).Select(table.LineOf).ToArray();
        return new TabularDataset(x, width, _featureNames, _taskLabels, labels, present, table.SourceName, lines);
    }

    private static int CategoryIndex(FeaturePlan f, CsvTable table, int r, int col)
    {
        string cell = table.Cell(r, col).Trim();
        if (f.CategoryIndex.TryGetValue(cell, out int k)) return k;
        if (f.HasUnknown) return 0;
        throw new DataFileException(table.SourceName, table.LineOf(r), f.Spec.Column,
            $"got {(cell.Length == 0 ? "an empty cell" : DataFileException.Quote(cell))}, expected one of the categories " +
            $"{(f.Spec.Categories is null ? "seen in the training data" : "declared in the schema")}: {ListForMessage(f.Categories)} " +
            "(this column's unknown-category policy is Error)");
    }

    private static int ClassIndex(TaskPlan task, CsvTable table, int r, int col, string cell) =>
        task.ClassIndex.TryGetValue(cell, out int k) ? k
        : throw new DataFileException(table.SourceName, table.LineOf(r), task.Spec.Column,
            $"got label {DataFileException.Quote(cell)}, expected one of task '{task.Spec.Name}' classes " +
            $"{(task.Spec.Classes is null ? "(learned from the training data)" : "(declared in the schema)")}: {ListForMessage(task.Classes)}, " +
            "or an empty cell for a missing label");

    private static int RequireColumn(CsvTable table, string column)
    {
        int col = table.ColumnIndex(column);
        if (col < 0)
            throw new DataFileException(table.SourceName, table.HeaderLine, column,
                $"column named in the schema is missing; expected it in the header, which has: {ListForMessage(table.Header)}");
        return col;
    }

    private static double ParseNumber(CsvTable table, int r, int col, string expected)
    {
        string cell = table.Cell(r, col);
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        throw new DataFileException(table.SourceName, table.LineOf(r), table.Header[col],
            $"got {(cell.Trim().Length == 0 ? "an empty cell" : DataFileException.Quote(cell))}, expected {expected}");
    }

    private static IEnumerable<string> DistinctCells(CsvTable table, int col) =>
        Enumerable.Range(0, table.RowCount).Select(r => table.Cell(r, col).Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal);

    // Integer labels sort numerically ("2" before "10"); anything else by ordinal string order.
    private static string[] SortClasses(string[] labels) =>
        labels.All(l => long.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            ? labels.OrderBy(l => long.Parse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ThenBy(l => l, StringComparer.Ordinal).ToArray()
            : labels.Order(StringComparer.Ordinal).ToArray();

    internal static string ListForMessage(IEnumerable<string> items)
    {
        var list = items.Take(13).ToList();
        string shown = string.Join(", ", list.Take(12));
        return list.Count > 12 ? shown + ", ..." : shown;
    }
}
