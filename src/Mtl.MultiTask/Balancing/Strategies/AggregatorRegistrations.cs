// Registers the robust aggregators of the task gradients: krum and trimmedmean.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterAggregators()
    {
        Add<KrumOptions>("krum", StrategyFamily.GradientCombination, "Krum: average of the m rows closest to their neighbours, robust to f outliers (Blanchard et al. 2017)", o => new Krum(o));
        Add<TrimmedMeanOptions>("trimmedmean", StrategyFamily.GradientCombination, "coordinate-wise trimmed mean: drop the t extremes per coordinate, average the rest (Yin et al. 2018)", o => new TrimmedMean(o));
    }
}
