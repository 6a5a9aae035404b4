// Entry point of the `mtl` tool: runs the command line on the console; Ctrl-C cancels training cleanly (exit 130).
using System.CommandLine;
using Mtl.Cli;
using Mtl.Cli.Output;

var io = CliIO.FromConsole();
// Ctrl-C / SIGTERM cancel the token the commands receive; training then writes its checkpoint and returns 130.
// The timeout is how long that may take before the process is ended anyway.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
return await MtlCli.Build(io).Parse(args).InvokeAsync(configuration);
