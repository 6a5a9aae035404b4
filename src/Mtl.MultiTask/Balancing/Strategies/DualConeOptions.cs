// Options of the dual-cone strategies (UPGrad, DualProj) and their shared preference vector and Gramian normalisation.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="UpGrad"/> and <see cref="DualProj"/>.</summary>
public sealed record DualConeOptions
{
    /// <summary>
    /// The preference vector p (one non-negative entry per task) that weights the projected rows (UPGrad) or forms the
    /// vector to project (DualProj); null = 1/K for every task (torchjd's default, the mean).
    /// </summary>
    public IReadOnlyList<double>? Preference { get; init; }

    /// <summary>
    /// ε added to the diagonal of the trace-normalised Gramian G/trace(G) before solving. torchjd uses 1e-4 because
    /// its QP solver (quadprog) needs a positive-definite matrix; Mtl's active-set solver handles singular Gramians,
    /// so the default 0 gives the exact projection (set 1e-4 to reproduce torchjd's numbers; a positive ε makes the
    /// non-conflict guarantee hold only up to ~ε).
    /// </summary>
    public double RegEps { get; init; }
}

/// <summary>The preference vector and Gramian normalisation shared by <see cref="UpGrad"/> and <see cref="DualProj"/>.</summary>
internal sealed class DualConeSetup
{
    private readonly string _name;
    private readonly double[]? _preference;
    private readonly double _regEps;

    public DualConeSetup(string name, DualConeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _name = name;
        if (!double.IsFinite(options.RegEps) || options.RegEps < 0) throw new ArgumentException($"strategy '{name}': RegEps must be finite and ≥ 0, got {options.RegEps}");
        _regEps = options.RegEps;
        if (options.Preference is { } p)
        {
            if (p.Count == 0 || p.Any(x => !double.IsFinite(x) || x < 0) || p.All(x => x == 0))
                throw new ArgumentException($"strategy '{name}': Preference must be finite, ≥ 0 and not all 0, got [{string.Join(", ", p)}]");
            _preference = p.ToArray();
        }
    }

    public void Check(int tasks)
    {
        if (_preference is not null && _preference.Length != tasks)
            throw new ArgumentException($"strategy '{_name}': {_preference.Length} preferences given for {tasks} tasks");
    }

    public double Preference(int i, int tasks) => _preference?[i] ?? 1.0 / tasks;

    // G/trace(G) + ε·I in place; null when the Gramian is zero and ε = 0 (then nothing needs projecting).
    public double[,]? Normalize(double[,] gram)
    {
        int k = gram.GetLength(0);
        double trace = 0;
        for (int i = 0; i < k; i++) trace += gram[i, i];
        if (!(trace > 0)) return null;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                gram[i, j] = gram[i, j] / trace + (i == j ? _regEps : 0);
        return gram;
    }
}
