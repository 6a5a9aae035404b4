// The small dense solvers behind the closed-form strategies: linear systems (with the singular fallback) and spectra.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Tests.Balancing;

public class SmallSolverTests
{
    [Fact]
    public void A_regular_system_is_solved_by_elimination()
    {
        // 2x + y − z = 8, −3x − y + 2z = −11, −2x + y + 2z = −3  →  (2, 3, −1); the first pivot needs a row swap.
        var x = new double[3];
        Assert.True(SmallLinearSolver.Solve(new double[,] { { 2, 1, -1 }, { -3, -1, 2 }, { -2, 1, 2 } }, [8, -11, -3], x));
        Assert.Equal(2, x[0], 12);
        Assert.Equal(3, x[1], 12);
        Assert.Equal(-1, x[2], 12);
        // A zero leading entry and rows of very different scale: 0·x + 1e6·y = 2e6, 1e-6·x + 0·y = 3e-6 → (3, 2).
        var y = new double[2];
        Assert.True(SmallLinearSolver.Solve(new double[,] { { 0, 1e6 }, { 1e-6, 0 } }, [2e6, 3e-6], y));
        Assert.Equal(3, y[0], 12);
        Assert.Equal(2, y[1], 12);
    }

    [Fact]
    public void A_singular_system_gets_the_minimum_norm_least_squares_solution()
    {
        // x + y + z = 1 and two zero rows: the minimum-norm solution is (1/3, 1/3, 1/3).
        var x = new double[3];
        Assert.False(SmallLinearSolver.Solve(new double[,] { { 1, 1, 1 }, { 0, 0, 0 }, { 0, 0, 0 } }, [1, 0, 0], x));
        Assert.All(x, v => Assert.Equal(1 / 3.0, v, 12));
        // Inconsistent: x + y = 1 and x + y = 3 → least squares x + y = 2, minimum norm (1, 1).
        var y = new double[2];
        Assert.False(SmallLinearSolver.Solve(new double[,] { { 1, 1 }, { 1, 1 } }, [1, 3], y));
        Assert.Equal(1, y[0], 9);
        Assert.Equal(1, y[1], 9);
    }

    [Fact]
    public void The_spectrum_is_sorted_and_reconstructs_the_matrix()
    {
        var a = new double[,] { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } };
        var (values, v) = SymmetricSpectrum.Decompose(a);
        Assert.True(values[0] >= values[1] && values[1] >= values[2]);
        Assert.Equal(9, values.Sum(), 12);   // the trace
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double s = 0;
                for (int r = 0; r < 3; r++) s += v[i, r] * values[r] * v[j, r];
                Assert.Equal(a[i, j], s, 12);
            }
    }

    [Fact]
    public void The_pseudo_inverse_of_a_rank_one_gramian_is_its_inverse_on_the_range()
    {
        // g = (1, 2) twice: M = [[5, 5], [5, 5]] = 10·vvᵀ with v = (1, 1)/√2, so M⁺ = vvᵀ/10 = [[1/20, 1/20], [1/20, 1/20]].
        var m = new double[,] { { 5, 5 }, { 5, 5 } };
        var (values, _) = SymmetricSpectrum.Decompose(m);
        Assert.Equal(1, SymmetricSpectrum.Rank(values));
        var p = SymmetricSpectrum.PseudoInverse(m);
        foreach (var x in p) Assert.Equal(0.05, x, 12);
        Assert.Equal(0, SymmetricSpectrum.Rank([0.0, 0.0]));
        Assert.All(SymmetricSpectrum.PseudoInverse(new double[2, 2]).Cast<double>(), x => Assert.Equal(0, x));
    }
}
