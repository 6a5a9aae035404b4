// The contract every benchmark implements; Program.cs lists them explicitly.
namespace Mtl.Bench;

/// <summary>A named benchmark that prints a table and, with --json, ends with one JSON line of its figures.</summary>
internal interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    int Run(BenchOptions options);
}

/// <summary>Command-line options shared by benchmarks.</summary>
internal sealed record BenchOptions(bool Json, bool Quick, IReadOnlyList<string> Args);
