// The typed run configuration: seed, data, tasks, trunk, architecture, strategy, optimiser, schedule and trainer.
using Mtl.MultiTask.Balancing;

namespace Mtl.Cli.Config;

/// <summary>A section that picks an entry by name (an architecture, a strategy, …) and holds that entry's options record.</summary>
/// <param name="Name">The registered name, e.g. <c>mmoe</c>.</param>
/// <param name="Options">An instance of the entry's options type (every default filled in).</param>
public sealed record Choice(string Name, object Options);

/// <summary>Per-task overrides (<c>tasks.NAME</c>).</summary>
public sealed record TaskSettings
{
    /// <summary>Hidden widths of the task's head: Linear + ReLU per width, then Linear to the task's outputs ([] = one Linear).</summary>
    public int[] Head { get; init; } = [];

    /// <summary>Static loss weight λ (strategy <c>ew</c> only; other strategies choose their own weights).</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Trunk stage whose output the head reads (−1 = the last); used by the <c>hierarchical</c> architecture.</summary>
    public int AttachDepth { get; init; } = -1;
}

/// <summary>The <c>trainer</c> section: budget, batches, model selection, gradient space and checkpoints.</summary>
public sealed record TrainerSettings
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Training samples per batch (per task for per-task text batches).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Samples per batch when evaluating.</summary>
    public int EvalBatchSize { get; init; } = 256;

    /// <summary>Stop after this many optimisation steps in all (null = no limit).</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Early stopping: epochs without validation improvement before stopping (null = never).</summary>
    public int? Patience { get; init; }

    /// <summary>Improvement of the validation score (Δm points) that counts.</summary>
    public double MinDelta { get; init; }

    /// <summary>Load the best validation epoch's weights back at the end.</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>What gradient strategies' task gradients are taken with respect to.</summary>
    public GradientSpace GradientSpace { get; init; } = GradientSpace.SharedParameters;

    /// <summary>Write checkpoints/last.safetensors every this many epochs.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Measure the look-ahead task affinity (Fifty et al. 2021) every this many steps; in the metrics log and report (null = off).</summary>
    public int? AffinityEvery { get; init; }

    /// <summary>Compute threads (null = all cores). Same seed and thread count give bit-identical runs.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// The <c>transfer</c> section: start the multi-task model from trained weights (an Mtl checkpoint or a plain
/// safetensors file, e.g. written by PyTorch) through a name map, then freeze parameters by pattern.
/// </summary>
public sealed record TransferSettings
{
    /// <summary>The weights file (relative paths are resolved against the config file's folder); null = no transfer.</summary>
    public string? From { get; init; }

    /// <summary>Prefix rewrites <c>SOURCE=TARGET</c> of tensor names (e.g. <c>backbone.=encoder.</c>); the longest match wins.</summary>
    public string[] Prefixes { get; init; } = [];

    /// <summary>Exact renames <c>SOURCE=TARGET</c>.</summary>
    public string[] Renames { get; init; } = [];

    /// <summary>Source tensors to leave out on purpose (name patterns: globs, or <c>re:</c> regular expressions).</summary>
    public string[] Ignore { get; init; } = [];

    /// <summary>Load only the target parameters matching these patterns ([] = all), e.g. <c>encoder.*</c>.</summary>
    public string[] Only { get; init; } = [];

    /// <summary>Fail when anything does not fit (missing, mis-shaped, unused); false loads what fits and reports the rest.</summary>
    public bool Strict { get; init; } = true;

    /// <summary>Parameters to freeze after loading (patterns, e.g. <c>encoder.*</c>): they keep their loaded values.</summary>
    public string[] Freeze { get; init; } = [];
}

/// <summary>
/// The <c>distill</c> section: train the multi-task model (the student) on its teachers' soft targets mixed with the
/// hard labels (Hinton et al. 2015). Teachers: one single-task model per task trained first in this run
/// (<c>teachers: single_task</c>, built with <c>teacher_trunk</c>), or the models of earlier runs (<c>teacher_runs</c>).
/// </summary>
public sealed record DistillSettings
{
    /// <summary>The allowed values of <see cref="Teachers"/>.</summary>
    public static readonly string[] TeacherKinds = ["none", "single_task"];

    /// <summary><c>none</c> (no distillation unless <see cref="TeacherRuns"/> is given) or <c>single_task</c>: train one single-task teacher per task before the student.</summary>
    public string Teachers { get; init; } = "none";

    /// <summary>Run folders whose trained models are the teachers (each answers for its tasks); relative to the config file's folder.</summary>
    public string[] TeacherRuns { get; init; } = [];

    /// <summary>Epochs of each single-task teacher (null = trainer.epochs).</summary>
    public int? TeacherEpochs { get; init; }

    /// <summary>Softmax temperature T of the soft targets.</summary>
    public double Temperature { get; init; } = 4;

    /// <summary>Weight α of the soft loss; 1 − α goes to the hard-label loss.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Compute the teachers' outputs over the training data once and look them up by sample.</summary>
    public bool Cache { get; init; } = true;

    /// <summary>Whether the section asks for distillation.</summary>
    public bool Enabled => Teachers != "none" || TeacherRuns.Length > 0;
}

/// <summary>
/// A resolved run configuration: every section present, every default filled in. <see cref="Locations"/> says where
/// each section was given (for errors found when the run is built), <see cref="SourcePath"/> which file it came from.
/// </summary>
public sealed record RunConfig
{
    /// <summary>The top-level keys, in the order they are written.</summary>
    public static readonly string[] TopKeys = ["name", "seed", "baselines", "fallback", "data", "tasks", "trunk", "architecture", "strategy", "optimizer", "schedule", "transfer", "distill", "trainer"];

    /// <summary>Run name (the run folder is <c>NAME-yyyyMMdd-HHmmss</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Seed of the data pairing and splits, the parameters' initial values and the shuffles.</summary>
    public ulong Seed { get; init; }

    /// <summary>Also train one single-task model per task and report Δm.</summary>
    public bool Baselines { get; init; }

    /// <summary>
    /// Baseline fallback routing (needs <see cref="Baselines"/> and a validation split): each task is predicted by the
    /// multi-task or its single-task model, whichever is better on validation; report.json gets a <c>routing</c> section.
    /// </summary>
    public bool Fallback { get; init; }

    /// <summary>The dataset (<c>data.name</c>) and its options.</summary>
    public required Choice Data { get; init; }

    /// <summary>Multi-input data only: the task scheduler (<c>data.scheduler</c>, SchedulerRegistry) deciding which tasks take a batch at each step (null = <c>all</c>).</summary>
    public Choice? TaskScheduler { get; init; }

    /// <summary>Per-task settings, one per task of the dataset, in the dataset's task order.</summary>
    public required IReadOnlyDictionary<string, TaskSettings> Tasks { get; init; }

    /// <summary>The shared encoder.</summary>
    public required Choice Trunk { get; init; }

    /// <summary>The sharing architecture (ArchitectureRegistry).</summary>
    public required Choice Architecture { get; init; }

    /// <summary>The balancing strategy (StrategyRegistry).</summary>
    public required Choice Strategy { get; init; }

    /// <summary>The optimiser.</summary>
    public required Choice Optimizer { get; init; }

    /// <summary>The learning-rate schedule (null = constant).</summary>
    public Choice? Schedule { get; init; }

    /// <summary>Where the model's initial weights come from and what is frozen (no transfer by default).</summary>
    public TransferSettings Transfer { get; init; } = new();

    /// <summary>Distillation from teachers (off by default).</summary>
    public DistillSettings Distill { get; init; } = new();

    /// <summary>The trunk of single-task teachers (<c>distill.teacher_trunk</c>; null = the student's <see cref="Trunk"/>).</summary>
    public Choice? TeacherTrunk { get; init; }

    /// <summary>The trainer settings.</summary>
    public required TrainerSettings Trainer { get; init; }

    /// <summary>Where each section (and <c>tasks.NAME</c>) was given: <c>FILE:LINE:COLUMN</c>, an override, or the file alone for defaults.</summary>
    public IReadOnlyDictionary<string, string> Locations { get; init; } = new Dictionary<string, string>();

    /// <summary>The file the config was read from (or <c>&lt;built-in default&gt;</c>).</summary>
    public string SourcePath { get; init; } = ConfigLoader.BuiltInName;

    /// <summary>Where section <paramref name="key"/> was given (the file when it was defaulted).</summary>
    public string Where(string key) => Locations.TryGetValue(key, out var l) ? l : SourcePath;
}
