// Entry point of the benchmarks: dotnet run -c Release --project bench/Mtl.Bench -- NAME [--json] [--quick] (or --list).
using Mtl.Bench;

IBenchmark[] benchmarks =
[
    new GemmBench(),
    new ConvBench(),
    new RnnBench(),
    new LoaderBench(),
    new MultiFashionBench(),
    new MmoeVsHardSharing(),
    new StrategiesBench(),
    new StrategyTable(),
    new DistillBench(),
    new TransferBench(),
    new EnsembleBench(),
    new CompareBench(),
];

// Helper commands that make files rather than measure (not run by CI's benchmark smoke loop).
IBenchmark[] tools =
[
    new PreviewCommand(),
    new DataSamplesCommand(),
    new StrategyCatalogue(),
];

if (args is ["--list"])
{
    foreach (var b in benchmarks) Console.WriteLine(b.Name);
    return 0;
}

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Mtl.Bench NAME [--json] [--quick]");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-12} {b.Description}");
    Console.WriteLine("tools:");
    foreach (var b in tools) Console.WriteLine($"  {b.Name,-12} {b.Description}");
    return args.Length == 0 ? 2 : 0;
}

var bench = benchmarks.Concat(tools).FirstOrDefault(b => b.Name == args[0]);
if (bench is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", benchmarks.Concat(tools).Select(b => b.Name))}");
    return 2;
}
var rest = args.Skip(1).ToList();
var options = new BenchOptions(rest.Remove("--json"), rest.Remove("--quick"), rest);
return bench.Run(options);
