// ParetoMTL (Lin et al. 2019): constrained MGDA that keeps the loss vector in the cone of one preference ray.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="ParetoMtl"/>.</summary>
public sealed record ParetoMtlOptions
{
    /// <summary>
    /// Two tasks: the number of evenly spread unit preference rays (cos θⱼ, sin θⱼ), θⱼ = j·(π/2)/(N−1) (the paper's
    /// experiments use 5). Other task counts without <see cref="Rays"/> use the K axes and the centre ray instead.
    /// </summary>
    public int Preferences { get; init; } = 5;

    /// <summary>
    /// Which ray this run follows (0-based). Null: the central ray (the middle one of an odd number of two-task rays,
    /// the centre (1,…,1)/√K otherwise); must be given for an even count or explicit <see cref="Rays"/>.
    /// </summary>
    public int? PreferenceIndex { get; init; }

    /// <summary>Explicit preference rays (each K non-negative values, not all 0; scaled to unit length), overriding <see cref="Preferences"/>.</summary>
    public IReadOnlyList<IReadOnlyList<double>>? Rays { get; init; }

    /// <summary>
    /// Epochs (by <see cref="StrategyStep.Epoch"/>) the first phase may last while it looks for a feasible start (the
    /// authors' code: at most 2 epochs, ending as soon as the losses are in the ray's cone). 0 skips it.
    /// </summary>
    public int WarmupEpochs { get; init; } = 2;
}

/// <summary>
/// ParetoMTL — Lin, Zhen, Li, Zhang and Kwong, "Pareto Multi-Task Learning", NeurIPS 2019. The loss space is cut into
/// cones around unit preference rays u₁…u_N; a run follows ray uᵢ by keeping the loss vector L in its cone, i.e. the
/// constraints Gⱼ = (uⱼ − uᵢ)ᵀL̂ ≤ 0 for all j (L̂ = L/‖L‖; uᵢ closest in angle). A constraint is active when
/// Gⱼ &gt; 0; its gradient is aⱼᵀG with aⱼ = uⱼ − uᵢ. Two phases, each a min-norm problem over the convex hull
/// (solved exactly on the K×K Gramian by <see cref="ParetoMinNorm"/>):
/// <list type="number">
/// <item>Initial solution (while active constraints remain, for at most <see cref="ParetoMtlOptions.WarmupEpochs"/>
/// epochs): c = argmin ‖Σⱼ cⱼ aⱼᵀG‖ over the active j (c = 1 for one), w = Σⱼ cⱼaⱼ — descent on the violated
/// constraints only; weights may be negative.</item>
/// <item>Constrained MGDA (from the first feasible call on, for good): c = argmin ‖Σₖ cₖgₖ + Σⱼ cⱼ aⱼᵀG‖ over the task
/// gradients and the active constraints' gradients, w = c_tasks + Σⱼ cⱼaⱼ, rescaled to w·K/Σ|wₖ| (the authors' code).</item>
/// </list>
/// The result is wᵀG exactly (weights reported). Note the reading of a ray: uᵢ = (1, 0) asks for losses along
/// (1, 0), a relatively large loss on task 1 — the opposite of a static weight λ = (1, 0). With one task or no active
/// constraint the second phase is MGDA, which for one task is plain descent. State: the phase.
/// </summary>
public sealed class ParetoMtl : BalancingStrategy
{
    private readonly ParetoMtlOptions _options;
    private double[][] _rays = [];
    private int _index;
    private bool _constrained;

    public ParetoMtl(ParetoMtlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Preferences < 1) throw new ArgumentException($"strategy 'paretomtl': Preferences must be at least 1, got {options.Preferences}");
        if (options.WarmupEpochs < 0) throw new ArgumentException($"strategy 'paretomtl': WarmupEpochs must be ≥ 0, got {options.WarmupEpochs}");
        if (options.Rays is { Count: 0 }) throw new ArgumentException("strategy 'paretomtl': Rays is empty");
        _options = options;
    }

    public override bool NeedsGradients => true;

    /// <summary>The unit preference rays (set once K is known).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Rays => _rays;

    /// <summary>The ray this run follows (set once K is known).</summary>
    public IReadOnlyList<double> Preference => _rays.Length == 0 ? [] : _rays[_index];

    /// <summary>True once the first phase is over (a feasible start was found or its epochs ran out).</summary>
    public bool Constrained => _constrained;

    /// <summary>
    /// The default unit rays for <paramref name="tasks"/> tasks: for two, <paramref name="count"/> evenly spread rays
    /// (cos θⱼ, sin θⱼ), θⱼ = j·(π/2)/(count−1), computed mirror-symmetrically; otherwise the K axes followed by the
    /// centre (1,…,1)/√K (one ray for K = 1).
    /// </summary>
    public static double[][] PreferenceRays(int tasks, int count)
    {
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), tasks, "ParetoMtl.PreferenceRays: at least one task");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "ParetoMtl.PreferenceRays: at least one ray");
        if (tasks == 1) return [[1.0]];
        if (tasks == 2)
        {
            var rays = new double[count][];
            if (count == 1) return [[1.0, 0.0]];
            for (int j = 0; j <= (count - 1) / 2; j++)
            {
                int mirror = count - 1 - j;
                if (j == mirror) rays[j] = [Math.Sqrt(0.5), Math.Sqrt(0.5)];
                else
                {
                    double theta = j * (Math.PI / 2) / (count - 1);
                    rays[j] = [Math.Cos(theta), Math.Sin(theta)];
                    rays[mirror] = [rays[j][1], rays[j][0]];
                }
            }
            return rays;
        }
        var all = new double[tasks + 1][];
        for (int k = 0; k < tasks; k++)
        {
            all[k] = new double[tasks];
            all[k][k] = 1;
        }
        all[tasks] = Enumerable.Repeat(1 / Math.Sqrt(tasks), tasks).ToArray();
        return all;
    }

    protected override void Initialize(int tasks)
    {
        _constrained = false;
        if (_options.Rays is { } given)
        {
            _rays = new double[given.Count][];
            for (int j = 0; j < given.Count; j++)
            {
                var r = given[j];
                if (r.Count != tasks) throw new ArgumentException($"strategy '{Name}': ray {j} has {r.Count} values for {tasks} tasks");
                double norm = Math.Sqrt(r.Sum(x => x * x));
                if (r.Any(x => !double.IsFinite(x) || x < 0) || !(norm > 0))
                    throw new ArgumentException($"strategy '{Name}': ray {j} must be finite, non-negative and not all 0, got [{string.Join(", ", r)}]");
                _rays[j] = r.Select(x => x / norm).ToArray();
            }
            _index = _options.PreferenceIndex ?? throw new ArgumentException($"strategy '{Name}': PreferenceIndex must be given with explicit Rays");
        }
        else
        {
            _rays = PreferenceRays(tasks, _options.Preferences);
            if (_options.PreferenceIndex is { } i) _index = i;
            else if (tasks != 2) _index = _rays.Length - 1;
            else if (_rays.Length % 2 == 1) _index = _rays.Length / 2;
            else throw new ArgumentException($"strategy '{Name}': {_rays.Length} rays have no central one; give PreferenceIndex");
        }
        if (_index < 0 || _index >= _rays.Length)
            throw new ArgumentException($"strategy '{Name}': PreferenceIndex {_index} is outside the {_rays.Length} rays");
    }

    protected override void OnReset()
    {
        _rays = [];
        _constrained = false;
    }

    protected override bool CombineGradients(GradientMatrix gradients, StrategyStep step, Span<double> combined, Span<double> weights)
    {
        int k = gradients.Tasks;
        var gram = gradients.Gramian();
        var active = ActiveConstraints(step.Losses);
        if (!_constrained)
        {
            if (step.Epoch < _options.WarmupEpochs && active.Count > 0)
            {
                // Phase 1: min-norm over the violated constraints' gradients only.
                var c = new double[active.Count];
                if (active.Count == 1) c[0] = 1;
                else ParetoMinNorm.Solve(Gram(active, gram), c);
                weights.Clear();
                for (int a = 0; a < active.Count; a++)
                    for (int t = 0; t < k; t++) weights[t] += c[a] * active[a][t];
                gradients.WeightedSum(weights, combined);
                return true;
            }
            _constrained = true;
        }
        // Phase 2: min-norm over the task gradients and the active constraints' gradients.
        var rows = new List<double[]>(k + active.Count);
        for (int t = 0; t < k; t++)
        {
            var e = new double[k];
            e[t] = 1;
            rows.Add(e);
        }
        rows.AddRange(active);
        var sol = new double[rows.Count];
        ParetoMinNorm.Solve(Gram(rows, gram), sol);
        weights.Clear();
        for (int r = 0; r < rows.Count; r++)
            for (int t = 0; t < k; t++) weights[t] += sol[r] * rows[r][t];
        double l1 = 0;
        foreach (var w in weights) l1 += Math.Abs(w);
        if (l1 > 0)
            for (int t = 0; t < k; t++) weights[t] *= k / l1;
        gradients.WeightedSum(weights, combined);
        return true;
    }

    // aⱼ = uⱼ − uᵢ for every ray j whose constraint (uⱼ − uᵢ)ᵀL̂ > 0 is violated (none when all losses are 0).
    private List<double[]> ActiveConstraints(IReadOnlyList<double> losses)
    {
        var active = new List<double[]>();
        double norm = Math.Sqrt(losses.Sum(l => l * l));
        if (!(norm > 0)) return active;
        var own = _rays[_index];
        for (int j = 0; j < _rays.Length; j++)
        {
            if (j == _index) continue;
            var a = new double[own.Length];
            double g = 0;
            for (int t = 0; t < own.Length; t++)
            {
                a[t] = _rays[j][t] - own[t];
                g += a[t] * losses[t] / norm;
            }
            if (g > 0) active.Add(a);
        }
        return active;
    }

    // The Gram matrix of the vectors rᵀG for the given coefficient rows r: R·(GGᵀ)·Rᵀ.
    private static double[,] Gram(IReadOnlyList<double[]> rows, double[,] gram)
    {
        int m = rows.Count, k = gram.GetLength(0);
        var result = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = a; b < m; b++)
            {
                double s = 0;
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) s += rows[a][i] * gram[i, j] * rows[b][j];
                result[a, b] = result[b, a] = s;
            }
        return result;
    }

    protected override void WriteState(StrategyState state) => state.Set("constrained", _constrained ? 1 : 0);

    protected override void ReadState(StrategyState state) => _constrained = state.GetNumber("constrained") != 0;
}
