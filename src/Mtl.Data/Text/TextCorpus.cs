// Raw labelled texts (before tokenization) with where each came from, as the IMDB and AG News readers return them.
namespace Mtl.Data;

/// <summary>
/// A list of texts, each with its source (file, and line for line-based formats) and one optional label per task. Readers produce it;
/// <see cref="TextDataset.Encode"/> turns it into token ids once a <see cref="Vocabulary"/> is built (from the training
/// corpus only). Tasks hold one value per sample: a class index, or a float for regression (Width 1).
/// </summary>
public sealed class TextCorpus
{
    private readonly TaskLabels[] _tasks;
    private readonly List<string> _texts = [];
    private readonly List<string> _sources = [];
    private readonly List<long?> _lines = [];
    private readonly List<float> _labels = [];  // (N, T)
    private readonly List<bool> _present = [];  // (N, T)

    /// <summary>An empty corpus carrying <paramref name="tasks"/>.</summary>
    /// <exception cref="ArgumentException">A task is not a width-1 class or float task, or two tasks share a name.</exception>
    public TextCorpus(IEnumerable<TaskLabels> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        _tasks = tasks.ToArray();
        foreach (var t in _tasks)
        {
            if (t.Kind == LabelKind.ClassPerPosition || t.Width != 1)
                throw new ArgumentException($"text corpus: task '{t.Name}' is {t.Kind} with width {t.Width}; expected a class index or a single float");
            if (t.Kind == LabelKind.ClassIndex && t.NumClasses < 1)
                throw new ArgumentException($"text corpus: task '{t.Name}' has {t.NumClasses} classes");
        }
        if (_tasks.Select(t => t.Name).Distinct().Count() != _tasks.Length)
            throw new ArgumentException($"text corpus: task names must be unique, got {string.Join(", ", _tasks.Select(t => t.Name))}");
    }

    /// <summary>Number of texts.</summary>
    public int Count => _texts.Count;

    /// <summary>The tasks, in order.</summary>
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <summary>The raw texts.</summary>
    public IReadOnlyList<string> Texts => _texts;

    /// <summary>The file each text came from, for error messages.</summary>
    public IReadOnlyList<string> Sources => _sources;

    /// <summary>The 1-based line each text starts on in its file, or null when the whole file is the text.</summary>
    public IReadOnlyList<long?> Lines => _lines;

    /// <summary>
    /// Adds a text read from <paramref name="source"/> (at <paramref name="line"/>, or null for a whole file) with one
    /// label per task (null = missing; class labels as their index).
    /// </summary>
    public void Add(string text, string source, long? line, params ReadOnlySpan<float?> labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (labels.Length != _tasks.Length)
            throw new ArgumentException($"text corpus: got {labels.Length} labels for '{source}', expected one per task ({_tasks.Length})");
        for (int t = 0; t < labels.Length; t++)
        {
            if (labels[t] is not { } v) continue;
            var task = _tasks[t];
            if (task.Kind == LabelKind.ClassIndex && (v != MathF.Floor(v) || v < 0 || v >= task.NumClasses))
                throw new ArgumentOutOfRangeException(nameof(labels), $"text corpus: label {v} of '{source}' for task '{task.Name}' is outside [0, {task.NumClasses})");
            if (!float.IsFinite(v))
                throw new ArgumentOutOfRangeException(nameof(labels), $"text corpus: label of '{source}' for task '{task.Name}' is not finite");
        }
        _texts.Add(text);
        _sources.Add(source);
        _lines.Add(line);
        foreach (var l in labels)
        {
            _labels.Add(l ?? 0f);
            _present.Add(l.HasValue);
        }
    }

    /// <summary>Task <paramref name="task"/>'s label of text <paramref name="index"/>, or null when missing.</summary>
    public float? Label(int index, int task)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"text corpus: index {index} out of range [0, {Count})");
        if ((uint)task >= (uint)_tasks.Length) throw new ArgumentOutOfRangeException(nameof(task), $"text corpus: task {task} out of range [0, {_tasks.Length})");
        int k = index * _tasks.Length + task;
        return _present[k] ? _labels[k] : null;
    }
}
