// Registers the projection-based gradient strategies (PCGrad, GradVac, GradDrop, …).
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterProjection()
    {
        Add<PcGradOptions>("pcgrad", StrategyFamily.GradientCombination, "PCGrad: project each task gradient off conflicting ones, random order, then sum (Yu et al. 2020)", o => new PcGrad(o));
    }
}
