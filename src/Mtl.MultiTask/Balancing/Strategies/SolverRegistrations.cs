// Registers the gradient strategies that solve a small problem on the Gramian: cagrad, nashmtl, fairgrad, upgrad, dualproj.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterSolvers()
    {
        Add<CaGradOptions>("cagrad", StrategyFamily.GradientCombination, "CAGrad: the mean gradient moved within a ball towards the worst-off task (Liu et al. 2021)", o => new CaGrad(o));
        Add<NashMtlOptions>("nashmtl", StrategyFamily.GradientCombination, "Nash-MTL: the Nash bargaining solution of the tasks, Gα = 1/α, norm-clipped (Navon et al. 2022)", o => new NashMtl(o));
        Add<FairGradOptions>("fairgrad", StrategyFamily.GradientCombination, "FairGrad: α-fair task weights, Gw = w^(−1/α) (Ban & Ji 2024)", o => new FairGrad(o));
        Add<DualConeOptions>("upgrad", StrategyFamily.GradientCombination, "UPGrad: every task gradient projected onto the dual cone of all, then averaged (Quinton & Rey 2024)", o => new UpGrad(o));
        Add<DualConeOptions>("dualproj", StrategyFamily.GradientCombination, "DualProj: the mean gradient projected onto the dual cone of the task gradients (Quinton & Rey 2024)", o => new DualProj(o));
    }
}
