// Where a command writes: standard output and error, and whether rich (ANSI, live) rendering is allowed.
using Spectre.Console;

namespace Mtl.Cli.Output;

/// <summary>
/// The output of one command invocation. <see cref="Rich"/> is true only for an interactive terminal without
/// <c>--plain</c>; tests and CI get plain text (no ANSI, no live redraws) written to <see cref="Out"/>.
/// </summary>
public sealed class CliIO
{
    /// <summary>Output to <paramref name="output"/> and <paramref name="error"/>; rich rendering only when <paramref name="rich"/>.</summary>
    public CliIO(TextWriter output, TextWriter error, bool rich = false)
    {
        Out = output;
        Err = error;
        Rich = rich;
        Console = rich ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }) : null;
    }

    /// <summary>The process's console: rich when standard output is a terminal.</summary>
    public static CliIO FromConsole() => new(System.Console.Out, System.Console.Error, !System.Console.IsOutputRedirected);

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Err { get; }

    /// <summary>True when live progress and colours may be used.</summary>
    public bool Rich { get; }

    /// <summary>The Spectre console over <see cref="Out"/> (null in plain mode).</summary>
    public IAnsiConsole? Console { get; }

    /// <summary>This output with rich rendering turned off (<c>--plain</c>).</summary>
    public CliIO Plain() => Rich ? new CliIO(Out, Err, false) : this;
}
