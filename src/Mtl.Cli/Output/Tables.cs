// Prints a table: a Spectre table on a terminal, aligned plain text otherwise (CI logs, files, tests).
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Mtl.Cli.Output;

/// <summary>Table output shared by the commands.</summary>
internal static class Tables
{
    /// <summary>Writes <paramref name="rows"/> under <paramref name="headers"/>; numbers are right-aligned.</summary>
    public static void Write(CliIO io, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, string? title = null)
    {
        if (io.Console is { } console)
        {
            var table = new Table { Border = TableBorder.Rounded };
            if (title is not null) table.Title = new TableTitle(Markup.Escape(title));
            for (int c = 0; c < headers.Count; c++)
                table.AddColumn(new TableColumn(Markup.Escape(headers[c])) { Alignment = IsNumeric(rows, c) ? Justify.Right : Justify.Left });
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(table);
            return;
        }
        if (title is not null) io.Out.WriteLine(title);
        io.Out.Write(Plain(headers, rows));
    }

    /// <summary>Aligned plain text: a header line, a rule, one line per row.</summary>
    public static string Plain(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => c < r.Count ? r[c].Length : 0))).ToArray();
        var right = headers.Select((_, c) => IsNumeric(rows, c)).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            var parts = widths.Select((w, c) => { var s = c < cells.Count ? cells[c] : ""; return right[c] ? s.PadLeft(w) : s.PadRight(w); });
            sb.Append(string.Join("  ", parts).TrimEnd()).Append('\n');
        }
        Line(headers);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var r in rows) Line(r);
        return sb.ToString();
    }

    /// <summary>A metric value with 4 decimals (NaN shown as "-").</summary>
    public static string Num(double v) => double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

    private static bool IsNumeric(IReadOnlyList<IReadOnlyList<string>> rows, int c) =>
        rows.Count > 0 && rows.All(r => c < r.Count && (r[c] == "-" || double.TryParse(r[c].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out _)));
}
