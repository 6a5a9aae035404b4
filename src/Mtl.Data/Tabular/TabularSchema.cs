// Declares how a CSV/TSV table maps to a multi-task dataset: numeric and categorical feature columns and task label columns.
namespace Mtl.Data;

/// <summary>How a categorical feature becomes numbers.</summary>
public enum CategoricalEncoding
{
    /// <summary>One 0/1 column per category.</summary>
    OneHot,
    /// <summary>One column holding the category's index (as a float), e.g. for an embedding lookup.</summary>
    Index,
}

/// <summary>What happens to a categorical value that was not seen in the training data.</summary>
public enum UnknownCategoryPolicy
{
    /// <summary>
    /// Category 0 is reserved as <c>&lt;unk&gt;</c> (an extra one-hot column, or index 0) and unseen values map to it.
    /// </summary>
    MapToUnknown,
    /// <summary>Unseen values raise a <see cref="DataFileException"/> naming the file, line, column and value.</summary>
    Error,
}

/// <summary>The kind of a tabular task's label.</summary>
public enum TabularTaskKind
{
    /// <summary>A class label (string or integer cell) mapped to a class index.</summary>
    Classification,
    /// <summary>A float target.</summary>
    Regression,
}

/// <summary>The kind of a feature column.</summary>
public enum TabularFeatureKind
{
    /// <summary>A number, standardised with training statistics when <see cref="TabularSchema.Standardize"/> is on.</summary>
    Numeric,
    /// <summary>A category, encoded per <see cref="CategoricalEncoding"/>.</summary>
    Categorical,
}

/// <summary>One feature column of a <see cref="TabularSchema"/>.</summary>
/// <param name="Column">Header name of the column.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Encoding">Categorical encoding (ignored for numeric features).</param>
/// <param name="Unknown">Unseen-category policy (ignored for numeric features).</param>
/// <param name="Categories">Fixed category list, or null to learn the categories from the training data (sorted by
/// ordinal string order). Excludes <c>&lt;unk&gt;</c>, which <see cref="UnknownCategoryPolicy.MapToUnknown"/> adds.</param>
public sealed record TabularFeature(string Column, TabularFeatureKind Kind,
    CategoricalEncoding Encoding = CategoricalEncoding.OneHot,
    UnknownCategoryPolicy Unknown = UnknownCategoryPolicy.MapToUnknown,
    IReadOnlyList<string>? Categories = null);

/// <summary>One task whose labels come from a column of a <see cref="TabularSchema"/>.</summary>
/// <param name="Name">Task name (unique).</param>
/// <param name="Column">Header name of the label column.</param>
/// <param name="Kind">Classification or regression.</param>
/// <param name="Classes">For classification, the fixed class list (class index = position), or null to learn it from
/// the training data: sorted numerically when every label is an integer, else by ordinal string order.</param>
public sealed record TabularTask(string Name, string Column, TabularTaskKind Kind, IReadOnlyList<string>? Classes = null);

/// <summary>
/// Which columns of a table are features and which carry task labels. Build it fluently:
/// <code>
/// var schema = new TabularSchema()
///     .Numeric("age", "income")
///     .Categorical("city")                                  // one-hot, categories learned from training data
///     .Classification("churned", classes: ["no", "yes"])    // task "churned"
///     .Regression("spend", taskName: "spend_next_year");
/// </code>
/// Cells of categorical features and class labels are trimmed of surrounding white space before matching. An empty
/// label cell means "no label for this task" (mask 0), so one table can carry partially labelled tasks; an empty
/// feature cell is an error for numeric features and counts as an unseen category for categorical ones (so it maps to
/// <c>&lt;unk&gt;</c> or raises, per <see cref="UnknownCategoryPolicy"/>). The encoded feature
/// vector lists the features in declaration order, a one-hot feature expanding to one column per category.
/// </summary>
public sealed class TabularSchema
{
    private readonly List<TabularFeature> _features = [];
    private readonly List<TabularTask> _tasks = [];

    /// <summary>Field separator of the files (',' for CSV, '\t' for TSV).</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Whether numeric features are standardised to zero mean and unit variance using training statistics.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>The feature columns, in declaration (= encoding) order.</summary>
    public IReadOnlyList<TabularFeature> Features => _features;

    /// <summary>The tasks, in declaration order (the dataset's task order).</summary>
    public IReadOnlyList<TabularTask> Tasks => _tasks;

    /// <summary>Adds numeric feature columns.</summary>
    public TabularSchema Numeric(params string[] columns)
    {
        foreach (var c in columns) AddFeature(new TabularFeature(c, TabularFeatureKind.Numeric));
        return this;
    }

    /// <summary>Adds a categorical feature column.</summary>
    public TabularSchema Categorical(string column, CategoricalEncoding encoding = CategoricalEncoding.OneHot,
        UnknownCategoryPolicy unknown = UnknownCategoryPolicy.MapToUnknown, IReadOnlyList<string>? categories = null)
    {
        AddFeature(new TabularFeature(column, TabularFeatureKind.Categorical, encoding, unknown, categories?.ToArray()));
        return this;
    }

    /// <summary>Adds a classification task read from <paramref name="column"/> (task name defaults to the column name).</summary>
    public TabularSchema Classification(string column, IReadOnlyList<string>? classes = null, string? taskName = null)
    {
        AddTask(new TabularTask(taskName ?? column, column, TabularTaskKind.Classification, classes?.ToArray()));
        return this;
    }

    /// <summary>Adds a regression task read from <paramref name="column"/> (task name defaults to the column name).</summary>
    public TabularSchema Regression(string column, string? taskName = null)
    {
        AddTask(new TabularTask(taskName ?? column, column, TabularTaskKind.Regression));
        return this;
    }

    /// <summary>Adds a feature described by a record (used when loading a saved transform).</summary>
    public TabularSchema Add(TabularFeature feature)
    {
        AddFeature(feature);
        return this;
    }

    /// <summary>Adds a task described by a record (used when loading a saved transform).</summary>
    public TabularSchema Add(TabularTask task)
    {
        AddTask(task);
        return this;
    }

    private void AddFeature(TabularFeature f)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckColumnFree(f.Column);
        if (f.Kind == TabularFeatureKind.Categorical && f.Categories is { } cats)
            CheckList(cats, $"categorical feature '{f.Column}'", "categories", allowEmptyList: false);
        _features.Add(f);
    }

    private void AddTask(TabularTask t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (string.IsNullOrEmpty(t.Name)) throw new ArgumentException($"tabular schema: task for column '{t.Column}' has an empty name");
        CheckColumnFree(t.Column);
        if (_tasks.Any(x => x.Name == t.Name)) throw new ArgumentException($"tabular schema: task name '{t.Name}' is declared twice");
        if (t.Kind == TabularTaskKind.Classification && t.Classes is { } classes)
        {
            CheckList(classes, $"task '{t.Name}'", "classes", allowEmptyList: false);
            if (classes.Count < 2) throw new ArgumentException($"tabular schema: task '{t.Name}' declares {classes.Count} class; expected at least 2");
        }
        _tasks.Add(t);
    }

    private void CheckColumnFree(string column)
    {
        if (string.IsNullOrEmpty(column)) throw new ArgumentException("tabular schema: a column name is empty");
        if (_features.Any(f => f.Column == column) || _tasks.Any(t => t.Column == column))
            throw new ArgumentException($"tabular schema: column '{column}' is used twice (each column is one feature or one task's labels)");
    }

    private static void CheckList(IReadOnlyList<string> items, string owner, string what, bool allowEmptyList)
    {
        if (!allowEmptyList && items.Count == 0) throw new ArgumentException($"tabular schema: {owner} has an empty {what} list");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item is null) throw new ArgumentException($"tabular schema: {owner} has a null entry in its {what}");
            if (item.Trim() != item || item.Length == 0)
                throw new ArgumentException($"tabular schema: {owner} {what} entry '{item}' is empty or has surrounding white space (cells are trimmed before matching)");
            if (item == FittedTabularTransform.UnknownCategory)
                throw new ArgumentException($"tabular schema: {owner} {what} must not list '{item}' (it is reserved)");
            if (!seen.Add(item)) throw new ArgumentException($"tabular schema: {owner} lists '{item}' twice in its {what}");
        }
    }

    /// <summary>A copy, so later changes to this schema do not reach a transform fitted from it.</summary>
    internal TabularSchema Clone()
    {
        var copy = new TabularSchema { Separator = Separator, Standardize = Standardize };
        copy._features.AddRange(_features);
        copy._tasks.AddRange(_tasks);
        return copy;
    }

    /// <summary>Checks the schema can be fitted: at least one feature and one task.</summary>
    internal void Validate()
    {
        if (_features.Count == 0) throw new ArgumentException("tabular schema: no feature columns declared; expected at least one");
        if (_tasks.Count == 0) throw new ArgumentException("tabular schema: no task label columns declared; expected at least one");
    }
}
