// A streaming RFC-4180 CSV/TSV record reader that tracks line numbers for precise error messages.
using System.Text;

namespace Mtl.Data;

/// <summary>
/// Reads delimited records (RFC 4180): fields separated by <see cref="Separator"/> (',' or '\t' usually), records
/// ended by CRLF, LF or CR; a field that starts with the quote character may contain separators, line breaks and
/// doubled quotes (<c>""</c> stands for one <c>"</c>). A quote inside an unquoted field is taken literally. Completely
/// empty lines between records are skipped. Fields are returned exactly as written (no trimming), except that a
/// line break inside a quoted field is returned as '\n' whatever its form in the file.
/// <para>Malformed input (a quoted field never closed, text after a closing quote, undecodable bytes) raises
/// <see cref="DataFileException"/> naming <see cref="SourceName"/> and the line. Not thread-safe: one reader per
/// thread.</para>
/// </summary>
public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly bool _leaveOpen;
    private readonly char? _quote;
    private readonly char[] _buffer = new char[1 << 15];
    private readonly StringBuilder _field = new();
    private int _pos, _len;
    private long _line = 1;
    private string? _filePath;

    /// <summary>Creates a reader over <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="sourceName">The name used in error messages (usually the file path).</param>
    /// <param name="separator">Field separator, e.g. ',' or '\t'. Must not be a line break or the quote.</param>
    /// <param name="quote">The quote character, or null to disable quoting (plain TSV).</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="reader"/> open.</param>
    public CsvReader(TextReader reader, string sourceName, char separator = ',', char? quote = '"', bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (separator is '\r' or '\n' || separator == quote)
            throw new ArgumentException($"csv: separator {(int)separator:x4} must not be a line break or the quote character");
        if (quote is '\r' or '\n')
            throw new ArgumentException("csv: the quote character must not be a line break");
        _reader = reader;
        SourceName = sourceName;
        Separator = separator;
        _quote = quote;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Opens <paramref name="path"/> (strict UTF-8, or UTF-16/32 with a BOM); FileNotFoundException when absent.</summary>
    public static CsvReader Open(string path, char separator = ',', char? quote = '"') =>
        new(StrictUtf8.Open(path, "csv"), path, separator, quote) { _filePath = path };

    /// <summary>The name used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>The field separator.</summary>
    public char Separator { get; }

    /// <summary>1-based line on which the record last returned by <see cref="ReadRecord"/> starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The next record's fields, or null at the end of the input.</summary>
    public string[]? ReadRecord()
    {
        try { return ReadRecordCore(); }
        catch (DecoderFallbackException e)
        {
            throw _filePath is null
                ? new DataFileException(SourceName, _line, null, "the text holds undecodable bytes; expected valid Unicode text", e)
                : StrictUtf8.NotText(_filePath, e);
        }
    }

    private string[]? ReadRecordCore()
    {
        int c;
        // Skip completely empty lines before the record.
        while ((c = Peek()) is '\r' or '\n') ConsumeLineBreak();
        if (c < 0) return null;
        RecordLine = _line;
        var fields = new List<string>();
        while (true)
        {
            bool endOfRecord = _quote is { } q && Peek() == q ? ReadQuotedField(q, fields.Count + 1) : ReadPlainField();
            fields.Add(_field.ToString());
            if (endOfRecord) return fields.ToArray();
        }
    }

    // Reads an unquoted field into _field and consumes its terminator; returns true when the record ended.
    private bool ReadPlainField()
    {
        _field.Clear();
        while (true)
        {
            int c = Peek();
            if (c < 0) return true;
            if (c is '\r' or '\n') { ConsumeLineBreak(); return true; }
            _pos++;
            if (c == Separator) return false;
            _field.Append((char)c);
        }
    }

    // Reads a quoted field (the opening quote is next) and consumes its terminator; returns true when the record ended.
    private bool ReadQuotedField(char q, int fieldNumber)
    {
        _field.Clear();
        long openedOn = _line;
        _pos++;
        while (true)
        {
            int c = Peek();
            if (c < 0)
                throw new DataFileException(SourceName, openedOn, null,
                    $"field {fieldNumber} opens a quote ({q}) that is never closed; expected a closing {q} before the end of the file");
            if (c == q)
            {
                _pos++;
                if (Peek() == q) { _pos++; _field.Append(q); continue; }
                int next = Peek();
                if (next < 0) return true;
                if (next is '\r' or '\n') { ConsumeLineBreak(); return true; }
                if (next == Separator) { _pos++; return false; }
                throw new DataFileException(SourceName, _line, null,
                    $"field {fieldNumber}: got {DataFileException.Quote(((char)next).ToString())} after the closing quote; " +
                    $"expected the separator {Describe(Separator)}, a line break, or a doubled quote ({q}{q}) for a literal quote");
            }
            if (c is '\r' or '\n') { ConsumeLineBreak(); _field.Append('\n'); continue; }
            _pos++;
            _field.Append((char)c);
        }
    }

    // Consumes one line break (CRLF, LF or CR) and advances the line counter.
    private void ConsumeLineBreak()
    {
        int c = Peek();
        _pos++;
        if (c == '\r' && Peek() == '\n') _pos++;
        _line++;
    }

    private int Peek()
    {
        if (_pos < _len) return _buffer[_pos];
        _len = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        return _len > 0 ? _buffer[0] : -1;
    }

    internal static string Describe(char separator) => separator switch
    {
        '\t' => "TAB",
        ',' => "','",
        _ => $"'{separator}'",
    };

    /// <summary>Closes the underlying reader unless it was opened with leaveOpen.</summary>
    public void Dispose()
    {
        if (!_leaveOpen) _reader.Dispose();
    }
}
