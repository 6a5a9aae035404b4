// The min-norm solver (MGDA): the two-point closed form by hand, Frank-Wolfe against a brute-force simplex grid for K = 3.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Tests.Balancing;

public class MinNormSolverTests
{
    private static double[,] Gram(params double[][] rows)
    {
        int k = rows.Length;
        var m = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) m[i, j] = rows[i].Zip(rows[j], (a, b) => a * b).Sum();
        return m;
    }

    private static double Objective(double[,] gram, ReadOnlySpan<double> a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < a.Length; j++) s += a[i] * gram[i, j] * a[j];
        return s;
    }

    [Fact]
    public void Two_point_closed_form_matches_hand_values()
    {
        // γ = ((g2 − g1)·g2)/‖g1 − g2‖², clamped: g1 = (1,0), g2 = (0,1): (0 − 0 + 1)/2 = ½.
        Assert.Equal(0.5, MinNormSolver.TwoPoint(1, 0, 1), 15);
        // g1 = (2,0), g2 = (0,1): γ = (1 − 0)/(4 + 1) = 1/5; the point (0.4, 0.8) is orthogonal to g2 − g1 = (−2, 1).
        Assert.Equal(0.2, MinNormSolver.TwoPoint(4, 0, 1), 15);
        // g1 = (1,0) lies in the "shadow" of g2 = (2,0) (g1·g2 = 2 ≥ g1·g1 = 1): γ = 1, the min-norm point is g1…
        Assert.Equal(1, MinNormSolver.TwoPoint(1, 2, 4));
        // …and with the roles swapped (g1 = (2,0), g2 = (1,0)): g1·g2 = 2 ≥ g2·g2 = 1, γ = 0.
        Assert.Equal(0, MinNormSolver.TwoPoint(4, 2, 1));
        // g1 = (1,0), g2 = (1,1): g1·g2 = 1 ≥ g1·g1, so γ = 1 (the foot of the perpendicular from 0 is g1 itself).
        Assert.Equal(1, MinNormSolver.TwoPoint(1, 1, 2));
        // Equal points: every γ is optimal; ½ keeps the two tasks symmetric.
        Assert.Equal(0.5, MinNormSolver.TwoPoint(2, 2, 2));
    }

    [Fact]
    public void Two_tasks_are_solved_in_closed_form_without_iterations()
    {
        var alpha = new double[2];
        Assert.Equal(0, MinNormSolver.Solve(Gram([2, 0], [0, 1]), alpha));
        Assert.Equal(0.2, alpha[0], 15);
        Assert.Equal(0.8, alpha[1], 15);
        var one = new double[1];
        Assert.Equal(0, MinNormSolver.Solve(Gram([3, 4]), one));
        Assert.Equal(1, one[0]);
    }

    [Fact]
    public void Frank_wolfe_stops_at_once_when_the_centre_is_optimal()
    {
        // Orthonormal g1, g2, g3: θ = (1/3)(1,1,1), gᵣ·θ = 1/3 = ‖θ‖² for every r, the duality gap is 0 (up to
        // rounding, which may cost one negligible step).
        var alpha = new double[3];
        Assert.InRange(MinNormSolver.Solve(Gram([1, 0, 0], [0, 1, 0], [0, 0, 1]), alpha), 0, 1);
        Assert.All(alpha, a => Assert.Equal(1 / 3.0, a, 12));
        // Three unit vectors 120° apart: 0 is in the hull, at α = 1/3 each.
        double s = Math.Sqrt(3) / 2;
        Assert.InRange(MinNormSolver.Solve(Gram([1, 0], [-0.5, s], [-0.5, -s]), alpha), 0, 1);
        Assert.All(alpha, a => Assert.Equal(1 / 3.0, a, 12));
        // Equal points: exactly no gap, no step.
        Assert.Equal(0, MinNormSolver.Solve(Gram([1, 2], [1, 2], [1, 2]), alpha));
        Assert.All(alpha, a => Assert.Equal(1 / 3.0, a, 15));
    }

    [Fact]
    public void Frank_wolfe_finds_the_vertex_when_one_gradient_shadows_the_others()
    {
        // g1 = (1,0,0), g2 = (2,0,0), g3 = (1,1,0): every point of the hull has norm ≥ 1, reached only at g1.
        var alpha = new double[3];
        MinNormSolver.Solve(Gram([1, 0, 0], [2, 0, 0], [1, 1, 0]), alpha, maxIterations: 10_000, tolerance: 1e-12);
        Assert.Equal(1, alpha[0], 4);
        Assert.Equal(0, alpha[1], 4);
        Assert.Equal(0, alpha[2], 4);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    [InlineData(6UL)]
    public void Frank_wolfe_matches_a_brute_force_grid_on_the_simplex_for_three_tasks(ulong seed)
    {
        var g = new Generator(seed);
        var rows = new double[3][];
        for (int k = 0; k < 3; k++)
        {
            rows[k] = new double[4];
            g.FillNormal(rows[k], 0, 1 + k);
        }
        if (seed % 2 == 0) rows[2] = rows[0].Zip(rows[1], (a, b) => -0.6 * a - 0.5 * b).ToArray();   // strong conflict: 0 near the hull
        var gram = Gram(rows);
        const int n = 400;   // grid step 1/400
        double best = double.PositiveInfinity;
        for (int i = 0; i <= n; i++)
            for (int j = 0; i + j <= n; j++)
                best = Math.Min(best, Objective(gram, [i / (double)n, j / (double)n, (n - i - j) / (double)n]));
        double scale = Math.Max(gram[0, 0], Math.Max(gram[1, 1], gram[2, 2]));

        var alpha = new double[3];
        MinNormSolver.Solve(gram, alpha);   // the defaults (250 iterations, gap 1e-8, away steps and affine correction)
        Assert.All(alpha, a => Assert.True(a >= 0));
        Assert.Equal(1, alpha.Sum(), 12);
        double fw = Objective(gram, alpha);
        Assert.True(fw <= best + 1e-7 * scale, $"seed {seed}: Frank-Wolfe {fw} vs grid {best}");

        // The paper's plain Frank-Wolfe gets close too, but only to within O(1/t).
        var plain = new double[3];
        MinNormSolver.Solve(gram, plain, plainFrankWolfe: true);
        Assert.True(Objective(gram, plain) <= best + 2e-2 * scale, $"seed {seed}: plain Frank-Wolfe {Objective(gram, plain)} vs grid {best}");

        MinNormSolver.Solve(gram, alpha, maxIterations: 100_000, tolerance: 0);
        double tight = Objective(gram, alpha);
        Assert.True(tight <= best + 1e-9 * scale, $"seed {seed}: tight Frank-Wolfe {tight} vs grid {best}");
        Assert.True(tight >= best - 2e-4 * scale, $"seed {seed}: the grid (step 1/{n}) is within O(h²) of the optimum");
    }

    [Fact]
    public void Bad_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MinNormSolver.Solve(new double[2, 3], new double[2]));
        Assert.Throws<ArgumentException>(() => MinNormSolver.Solve(new double[2, 2], new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MinNormSolver.Solve(new double[3, 3], new double[3], tolerance: double.NaN));
    }
}
