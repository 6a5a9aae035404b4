// Registers the gradient strategies that keep per-parameter state across steps: MoCo and ExcessMTL.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterTracking()
    {
        Add<MoCoOptions>("moco", StrategyFamily.GradientCombination, "MoCo: moving-average tracking of task gradients and a projected step on the simplex weights (Fernando et al. 2023)", o => new MoCo(o));
        Add<ExcessMtlOptions>("excessmtl", StrategyFamily.GradientCombination, "ExcessMTL: exponentiated-gradient task weights from estimated excess risks (He et al. 2024)", o => new ExcessMtl(o));
    }
}
