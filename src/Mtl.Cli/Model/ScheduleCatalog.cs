// The learning-rate schedules a config can name (schedule.name), stepped once per epoch by the trainer.
using Mtl.Cli.Config;
using Mtl.NN.Optim;

namespace Mtl.Cli.Model;

/// <summary>Options of the <c>step</c> schedule: lr × gamma every step_size epochs.</summary>
public sealed record StepSchedule
{
    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; init; } = 10;

    /// <summary>Decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
}

/// <summary>Options of the <c>multistep</c> schedule: lr × gamma at each milestone epoch.</summary>
public sealed record MultiStepSchedule
{
    /// <summary>Epochs at which the rate decays.</summary>
    public int[] Milestones { get; init; } = [];

    /// <summary>Decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
}

/// <summary>Options of the <c>exponential</c> schedule: lr × gamma^epoch.</summary>
public sealed record ExponentialSchedule
{
    /// <summary>Decay factor per epoch.</summary>
    public double Gamma { get; init; } = 0.9;
}

/// <summary>Options of the <c>cosine</c> schedule: cosine annealing from the base rate to eta_min over t_max epochs.</summary>
public sealed record CosineSchedule
{
    /// <summary>Epochs of the half period (null = trainer.epochs).</summary>
    public int? TMax { get; init; }

    /// <summary>The lowest rate.</summary>
    public double EtaMin { get; init; }
}

/// <summary>Options of the <c>warmup-cosine</c> schedule: linear warm-up, then cosine annealing.</summary>
public sealed record WarmupCosineSchedule
{
    /// <summary>Warm-up epochs.</summary>
    public int WarmupSteps { get; init; } = 1;

    /// <summary>Epochs in all (null = trainer.epochs).</summary>
    public int? TotalSteps { get; init; }

    /// <summary>Factor of the base rate at epoch 0.</summary>
    public double StartFactor { get; init; } = 1.0 / 3;

    /// <summary>The lowest rate.</summary>
    public double EtaMin { get; init; }
}

/// <summary>The schedules of <c>schedule.name</c>.</summary>
internal static class ScheduleCatalog
{
    public static Catalog Catalog { get; } = new("schedule", "schedule",
    [
        new("cosine", "cosine annealing to eta_min over t_max epochs (SGDR without restarts), as torch CosineAnnealingLR", typeof(CosineSchedule)),
        new("exponential", "lr × gamma^epoch, as torch ExponentialLR", typeof(ExponentialSchedule)),
        new("multistep", "lr × gamma at each milestone epoch, as torch MultiStepLR", typeof(MultiStepSchedule)),
        new("step", "lr × gamma every step_size epochs, as torch StepLR", typeof(StepSchedule)),
        new("warmup-cosine", "linear warm-up from start_factor, then cosine annealing to eta_min", typeof(WarmupCosineSchedule)),
    ]);

    /// <summary>Builds schedule <paramref name="name"/> on <paramref name="optimizer"/> for a run of <paramref name="epochs"/> epochs.</summary>
    public static LrScheduler Build(string name, object options, Optimizer optimizer, int epochs) => options switch
    {
        StepSchedule o => new StepLR(optimizer, o.StepSize, o.Gamma),
        MultiStepSchedule o => new MultiStepLR(optimizer, o.Milestones, o.Gamma),
        ExponentialSchedule o => new ExponentialLR(optimizer, o.Gamma),
        CosineSchedule o => new CosineAnnealingLR(optimizer, o.TMax ?? Math.Max(1, epochs), o.EtaMin),
        WarmupCosineSchedule o => new WarmupCosine(optimizer, o.WarmupSteps, o.TotalSteps ?? Math.Max(1, epochs), o.StartFactor, o.EtaMin),
        _ => throw new ArgumentException($"unknown schedule '{name}'; allowed: {Catalog.Names}"),
    };
}
