// Projection onto the dual cone of the task gradients, in weight space: the core of UPGrad and DualProj.
namespace Mtl.MultiTask.Balancing.Solvers;

/// <summary>
/// For task gradients J (K rows) with Gramian G = JJᵀ and a weight vector u, finds v with Jᵀv = the projection of
/// Jᵀu onto the dual cone {x : Jx ≥ 0} of the rows (the directions that conflict with no task). By Proposition 1 of
/// Quinton &amp; Rey (2024, "Jacobian Descent for Multi-Objective Optimization") v = argmin vᵀGv subject to v ≥ u;
/// with v = u + z this is the non-negative QP min ½zᵀGz + zᵀ(Gu), z ≥ 0, solved by <see cref="NonNegativeQp"/>.
/// Its KKT conditions give G·v ≥ 0, i.e. every task gradient has a non-negative inner product with Jᵀv, and v = u
/// whenever Jᵀu already conflicts with no task (Gu ≥ 0).
/// </summary>
public sealed class DualConeProjector
{
    private readonly NonNegativeQp _qp;
    private readonly double[] _c, _z;

    /// <summary>A projector for <paramref name="size"/> tasks.</summary>
    public DualConeProjector(int size)
    {
        _qp = new NonNegativeQp(size);
        _c = new double[size];
        _z = new double[size];
    }

    /// <summary>K, the number of tasks.</summary>
    public int Size => _qp.Size;

    /// <summary>Writes the weights v of the projection of Jᵀu into <paramref name="v"/>; G must be positive semi-definite.</summary>
    public SolveStats Project(double[,] gram, ReadOnlySpan<double> u, Span<double> v)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int n = Size;
        if (u.Length != n || v.Length != n)
            throw new ArgumentException($"DualConeProjector: sized for {n} tasks, given u {u.Length}, v {v.Length}");
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += gram[i, j] * u[j];
            _c[i] = s;   // (Gu)ᵢ = gᵢ·(Jᵀu)
        }
        var stats = _qp.Solve(gram, _c, _z);
        for (int i = 0; i < n; i++) v[i] = u[i] + _z[i];
        return stats;
    }
}
