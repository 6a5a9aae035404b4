// Registers the bilevel strategy (Auto-Lambda) and the preference-following one (ParetoMTL).
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterBilevelAndPareto()
    {
        Add<AutoLambdaOptions>("autolambda", StrategyFamily.Bilevel, "Auto-Lambda: task weights learned on validation data through a one-step look-ahead (Liu et al. 2022)", o => new AutoLambda(o));
        Add<ParetoMtlOptions>("paretomtl", StrategyFamily.Pareto, "ParetoMTL: constrained MGDA keeping the losses in one preference ray's cone (Lin et al. 2019)", o => new ParetoMtl(o));
    }
}
