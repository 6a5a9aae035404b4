// The exception for malformed data files: names the file, the line or record, the column, the bad value and what was expected.
namespace Mtl.Data;

/// <summary>
/// Thrown when a data file (CSV/TSV table, text corpus, saved vocabulary or transform) cannot be used as it is. The
/// message reads <c>{file}, line {n}, column '{name}': {problem}</c>, where the problem states the offending value and
/// what was expected, e.g. <c>train.csv, line 7, column 'age': got 'abc', expected a finite number</c>. The parts are
/// also available as properties. Derives from <see cref="IOException"/> (as a file problem; .NET's
/// <see cref="InvalidDataException"/> is sealed).
/// </summary>
public sealed class DataFileException : IOException
{
    /// <summary>Creates the exception; <paramref name="problem"/> should name the bad value and the expectation.</summary>
    /// <param name="filePath">The file (or source name) that is malformed.</param>
    /// <param name="line">1-based line number, or null when the problem is not tied to a line.</param>
    /// <param name="column">Column (field) name, or null.</param>
    /// <param name="problem">What is wrong: the value found and what was expected.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DataFileException(string filePath, long? line, string? column, string problem, Exception? inner = null)
        : base(Format(filePath, line, column, problem), inner)
    {
        FilePath = filePath;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file (or source name) that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number where the problem is (for multi-line CSV records, the line the record starts on).</summary>
    public long? Line { get; }

    /// <summary>The column involved, if any.</summary>
    public string? Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Format(string filePath, long? line, string? column, string problem)
    {
        string where = filePath;
        if (line is { } l) where += $", line {l}";
        if (column is not null) where += $", column '{column}'";
        return $"{where}: {problem}";
    }

    /// <summary>Quotes a value for a message, cutting long ones: <c>'abc'</c>.</summary>
    internal static string Quote(string value) =>
        value.Length <= 60 ? $"'{value}'" : $"'{value[..57]}...' ({value.Length} characters)";
}
