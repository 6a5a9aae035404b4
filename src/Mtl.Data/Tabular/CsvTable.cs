// A whole CSV/TSV file in memory: the header, the rows, and the line each row starts on (for error messages).
namespace Mtl.Data;

/// <summary>
/// A parsed delimited file: column names from the header row and every data row, each checked to have exactly as many
/// fields as the header. Keeps the line each row starts on so later stages (schema encoding) can report
/// <c>file, line, column</c>. Immutable once read, so it may be shared across threads.
/// </summary>
public sealed class CsvTable
{
    private readonly string[][] _rows;
    private readonly long[] _lines;
    private readonly Dictionary<string, int> _columnIndex;

    private CsvTable(string sourceName, string[] header, long? headerLine, string[][] rows, long[] lines)
    {
        SourceName = sourceName;
        HeaderLine = headerLine;
        Header = header;
        _rows = rows;
        _lines = lines;
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++) _columnIndex[header[i]] = i;
    }

    /// <summary>The file path (or name) the table came from, used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>Column names, in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>1-based line of the header row, or null when the file has no header.</summary>
    public long? HeaderLine { get; }

    /// <summary>Number of data rows (the header excluded).</summary>
    public int RowCount => _rows.Length;

    /// <summary>The fields of data row <paramref name="row"/>.</summary>
    public IReadOnlyList<string> Row(int row) => _rows[row];

    /// <summary>The field of row <paramref name="row"/> in column <paramref name="column"/> (an index into <see cref="Header"/>).</summary>
    public string Cell(int row, int column) => _rows[row][column];

    /// <summary>1-based line of the file on which data row <paramref name="row"/> starts.</summary>
    public long LineOf(int row) => _lines[row];

    /// <summary>Index of the column named <paramref name="name"/> (exact, case-sensitive), or -1.</summary>
    public int ColumnIndex(string name) => _columnIndex.TryGetValue(name, out int i) ? i : -1;

    /// <summary>
    /// Reads the file at <paramref name="path"/>. With <paramref name="hasHeader"/> false the columns are named
    /// "1", "2", ... and the first record fixes the field count.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is empty, malformed, has duplicate column names, or a row has the
    /// wrong number of fields.</exception>
    public static CsvTable Load(string path, char separator = ',', bool hasHeader = true, char? quote = '"')
    {
        using var reader = CsvReader.Open(path, separator, quote);
        return Read(reader, hasHeader);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="sourceName"/> names it in error messages.</summary>
    public static CsvTable Parse(string text, string sourceName, char separator = ',', bool hasHeader = true, char? quote = '"')
    {
        using var reader = new CsvReader(new StringReader(text), sourceName, separator, quote);
        return Read(reader, hasHeader);
    }

    /// <summary>Reads every remaining record of <paramref name="reader"/> into a table.</summary>
    public static CsvTable Read(CsvReader reader, bool hasHeader = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string src = reader.SourceName;
        var first = reader.ReadRecord()
            ?? throw new DataFileException(src, null, null,
                $"the file is empty; expected {(hasHeader ? "a header row naming the columns" : "at least one record")}");
        var rows = new List<string[]>();
        var lines = new List<long>();
        string[] header;
        long? headerLine = null;
        if (hasHeader)
        {
            header = first;
            headerLine = reader.RecordLine;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in header)
                if (!seen.Add(name))
                    throw new DataFileException(src, reader.RecordLine, name,
                        "the header names this column twice; expected unique column names");
        }
        else
        {
            header = Enumerable.Range(1, first.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            rows.Add(first);
            lines.Add(reader.RecordLine);
        }
        while (reader.ReadRecord() is { } record)
        {
            if (record.Length != header.Length)
                throw new DataFileException(src, reader.RecordLine, null,
                    $"got {record.Length} field{(record.Length == 1 ? "" : "s")}, expected {header.Length} " +
                    $"({(hasHeader ? "the header's columns" : "as many as the first record")}, separated by {CsvReader.Describe(reader.Separator)})");
            rows.Add(record);
            lines.Add(reader.RecordLine);
        }
        return new CsvTable(src, header, headerLine, rows.ToArray(), lines.ToArray());
    }
}
