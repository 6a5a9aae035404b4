// Registers the baseline strategies: ew, mean and static.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterBasic()
    {
        Add<EqualWeightingOptions>("ew", StrategyFamily.LossWeighting, "equal weighting: the sum of the task losses", _ => new EqualWeighting(mean: false));
        Add<EqualWeightingOptions>("mean", StrategyFamily.LossWeighting, "the mean of the task losses (ew scaled by 1/K)", _ => new EqualWeighting(mean: true));
        Add<StaticWeightingOptions>("static", StrategyFamily.LossWeighting, "fixed loss weights λ per task, chosen by the user", o => new StaticWeighting(o));
    }
}
