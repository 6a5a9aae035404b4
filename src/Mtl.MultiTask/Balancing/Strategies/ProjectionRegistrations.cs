// Registers the gradient-combination strategies: PCGrad, MGDA(-UB), GradDrop, GradVac, IMTL-G, Aligned-MTL, DB-MTL, ConFIG.
using Mtl.MultiTask.Balancing.Strategies;

namespace Mtl.MultiTask.Balancing;

public static partial class StrategyRegistry
{
    static partial void RegisterProjection()
    {
        Add<PcGradOptions>("pcgrad", StrategyFamily.GradientCombination, "PCGrad: project each task gradient off conflicting ones, random order, then sum (Yu et al. 2020)", o => new PcGrad(o));
        Add<MgdaOptions>("mgda", StrategyFamily.GradientCombination, "MGDA: the min-norm point in the convex hull of the task gradients, Frank-Wolfe on the Gramian (Sener & Koltun 2018)", o => new Mgda(o));
        Add<MgdaOptions>("mgda-ub", StrategyFamily.GradientCombination, "MGDA-UB: MGDA on the gradients w.r.t. the shared representation (run with GradientSpace.Representation; Sener & Koltun 2018)", o => new Mgda(o));
        Add<GradDropOptions>("graddrop", StrategyFamily.GradientCombination, "GradDrop: per coordinate keep only positive or only negative task gradients, by sign purity (Chen et al. 2020)", o => new GradDrop(o));
        Add<GradVacOptions>("gradvac", StrategyFamily.GradientCombination, "Gradient Vaccine: raise pairwise gradient cosines to moving-average targets, random order, then sum (Wang et al. 2021)", o => new GradVac(o));
        Add<ImtlOptions>("imtl", StrategyFamily.GradientCombination, "IMTL-G: closed-form weights giving equal projections on all unit task gradients (Liu et al. 2021)", o => new Imtl(o));
        Add<AlignedMtlOptions>("alignedmtl", StrategyFamily.GradientCombination, "Aligned-MTL: rescale the principal components of the task gradients to σ_min, then sum (Senushkin et al. 2023)", o => new AlignedMtl(o));
        Add<DbMtlOptions>("dbmtl", StrategyFamily.GradientCombination, "DB-MTL: moving averages of log-loss gradients, each rescaled to the largest norm, then summed (Lin et al. 2023)", o => new DbMtl(o));
        Add<ConFigOptions>("config", StrategyFamily.GradientCombination, "ConFIG: the direction of equal cosine to every task gradient, scaled by their projections (Liu et al. 2024)", o => new ConFig(o));
    }
}
