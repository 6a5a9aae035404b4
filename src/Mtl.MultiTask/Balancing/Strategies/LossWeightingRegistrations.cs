// Registers the loss-level balancing strategies: uw, dwa, rlw, gls, si, stch, famo and gradnorm.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterLossWeighting()
    {
        Add<UncertaintyWeightingOptions>("uw", StrategyFamily.LossWeighting, "uncertainty weighting: learned log-variances s, loss Σ ½e^{−s}L + ½s (Kendall, Gal & Cipolla 2018)", o => new UncertaintyWeighting(o));
        Add<DynamicWeightAverageOptions>("dwa", StrategyFamily.LossWeighting, "Dynamic Weight Average: K·softmax of the last two epochs' loss ratios over T (Liu, Johns & Davison 2019)", o => new DynamicWeightAverage(o));
        Add<RandomLossWeightingOptions>("rlw", StrategyFamily.LossWeighting, "Random Loss Weighting: softmax of fresh normal samples each step (Lin et al. 2022)", o => new RandomLossWeighting(o));
        Add<GeometricLossOptions>("gls", StrategyFamily.LossWeighting, "geometric loss strategy: minimise the geometric mean of the task losses (Chennupati et al. 2019)", o => new GeometricLossStrategy(o));
        Add<ScaleInvariantOptions>("si", StrategyFamily.LossWeighting, "scale-invariant loss Σ log L: weights 1/L (baseline of Navon et al. 2022)", o => new ScaleInvariant(o));
        Add<SmoothTchebycheffOptions>("stch", StrategyFamily.LossWeighting, "smooth Tchebycheff scalarisation of nadir-normalised log losses after a log-loss warm-up (Lin et al. 2024)", o => new SmoothTchebycheff(o));
        Add<FamoOptions>("famo", StrategyFamily.LossWeighting, "FAMO: learned task logits, loss weights normalised by the losses, updated from log-loss progress (Liu et al. 2023)", o => new Famo(o));
        Add<GradNormOptions>("gradnorm", StrategyFamily.LossWeighting, "GradNorm: learned weights pulling the weighted gradient norms to a common training rate (Chen et al. 2018)", o => new GradNorm(o));
    }
}
