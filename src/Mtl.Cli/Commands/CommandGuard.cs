// Runs a command body and turns its errors into a one-line message and an exit code (2 config/usage, 1 failure).
using Mtl.Cli.Config;
using Mtl.Cli.Output;

namespace Mtl.Cli.Commands;

/// <summary>Exit codes of the <c>mtl</c> commands.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;
    /// <summary>The command failed while running (data, files, numerics).</summary>
    public const int Failure = 1;
    /// <summary>A config or usage mistake: nothing was run.</summary>
    public const int ConfigError = 2;
    /// <summary>Interrupted (Ctrl-C); a checkpoint was written and the run can be resumed.</summary>
    public const int Interrupted = 130;
}

/// <summary>The error boundary every command runs inside.</summary>
internal static class CommandGuard
{
    /// <summary>Runs <paramref name="body"/>; a <see cref="ConfigException"/> prints <c>error: MESSAGE</c> and returns 2, any other error returns 1.</summary>
    public static int Run(CliIO io, Func<int> body)
    {
        try { return body(); }
        catch (ConfigException e)
        {
            io.Err.WriteLine($"error: {e.Message}");
            return ExitCodes.ConfigError;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            io.Err.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("MTL_DEBUG") is { Length: > 0 }) io.Err.WriteLine(e.ToString());
            return ExitCodes.Failure;
        }
    }
}
