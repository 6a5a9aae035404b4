// What an iterative balancing solver reports about one solve: iterations used and whether it met its tolerance.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>The outcome of one solve: the iterations used and whether the stopping tolerance was met.</summary>
/// <param name="Iterations">Outer iterations (active-set changes, Newton steps or gradient steps).</param>
/// <param name="Converged">True when the solver met its tolerance; false when it stopped at its iteration cap
/// (the iterate it returns is then still feasible, only less accurate).</param>
public readonly record struct SolveStats(int Iterations, bool Converged);
