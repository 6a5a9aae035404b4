// Synthetic regression tasks with a controllable correlation p (Ma et al. 2018, MMoE), for studying task relatedness.
namespace Mtl.Data;

/// <summary>Options of <see cref="SyntheticCorrelatedTasks"/>; defaults follow the issue (d = 100, c = 1, m = 10, αᵢ = i, βᵢ = i², σ = 0.01).</summary>
public sealed record SyntheticTasksOptions
{
    /// <summary>Number of samples.</summary>
    public int Count { get; init; } = 10_000;

    /// <summary>Input dimension d.</summary>
    public int Dim { get; init; } = 100;

    /// <summary>Scale c of the weight vectors.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Target correlation p ∈ [−1, 1] between the two tasks of each pair (cos(w₁, w₂) = p).</summary>
    public double Correlation { get; init; } = 0.5;

    /// <summary>Number m of sine terms.</summary>
    public int SinTerms { get; init; } = 10;

    /// <summary>αᵢ, i = 1..m (default αᵢ = i).</summary>
    public IReadOnlyList<double>? Alpha { get; init; }

    /// <summary>βᵢ, i = 1..m (default βᵢ = i²).</summary>
    public IReadOnlyList<double>? Beta { get; init; }

    /// <summary>Standard deviation σ of the Gaussian noise ε.</summary>
    public double NoiseStd { get; init; } = 0.01;

    /// <summary>Number of task pairs; pair k gives tasks "task{2k+1}" and "task{2k+2}", each pair with its own u₁, u₂.</summary>
    public int Pairs { get; init; } = 1;

    /// <summary>Seed of every random draw (directions, inputs, noise).</summary>
    public ulong Seed { get; init; }
}

/// <summary>The generated data and the weight vectors w_t (one per task, length d) that produced it.</summary>
public sealed record SyntheticTasks(InMemoryDataset Dataset, double[][] Weights);

/// <summary>
/// Ma et al., "Modeling Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018, §4.2:
/// for each task pair draw orthogonal unit vectors u₁, u₂ ∈ ℝᵈ (two Gaussian vectors, Gram–Schmidt), set
/// w₁ = c·u₁ and w₂ = c·(p·u₁ + √(1−p²)·u₂), draw x ~ N(0, I), and
/// y_t = w_tᵀx + Σᵢ₌₁..ₘ sin(αᵢ·w_tᵀx + βᵢ) + ε, ε ~ N(0, σ²).
/// Then cos(w₁, w₂) = p exactly and the linear parts w₁ᵀx, w₂ᵀx have correlation p. Inputs are Float32 (d); each task
/// is a width-1 float label.
/// </summary>
public static class SyntheticCorrelatedTasks
{
    /// <summary>Generates the data set.</summary>
    public static SyntheticTasks Generate(SyntheticTasksOptions? options = null)
    {
        var o = options ?? new SyntheticTasksOptions();
        if (o.Count < 0) throw new ArgumentOutOfRangeException(nameof(options), o.Count, "SyntheticCorrelatedTasks: Count must be 0 or more");
        if (o.Dim < 2) throw new ArgumentOutOfRangeException(nameof(options), o.Dim, "SyntheticCorrelatedTasks: Dim must be at least 2 (two orthogonal directions)");
        if (!(o.Correlation >= -1 && o.Correlation <= 1)) throw new ArgumentOutOfRangeException(nameof(options), o.Correlation, "SyntheticCorrelatedTasks: Correlation must lie in [-1, 1]");
        if (o.SinTerms < 0) throw new ArgumentOutOfRangeException(nameof(options), o.SinTerms, "SyntheticCorrelatedTasks: SinTerms must be 0 or more");
        if (o.Pairs < 1) throw new ArgumentOutOfRangeException(nameof(options), o.Pairs, "SyntheticCorrelatedTasks: Pairs must be at least 1");
        if (o.NoiseStd < 0) throw new ArgumentOutOfRangeException(nameof(options), o.NoiseStd, "SyntheticCorrelatedTasks: NoiseStd must be 0 or more");
        var alpha = o.Alpha ?? Enumerable.Range(1, o.SinTerms).Select(i => (double)i).ToArray();
        var beta = o.Beta ?? Enumerable.Range(1, o.SinTerms).Select(i => (double)i * i).ToArray();
        if (alpha.Count != o.SinTerms || beta.Count != o.SinTerms)
            throw new ArgumentException($"SyntheticCorrelatedTasks: Alpha and Beta need {o.SinTerms} values each, got {alpha.Count} and {beta.Count}");

        var gen = new Generator(o.Seed);
        int d = o.Dim, tasks = 2 * o.Pairs;
        var weights = new double[tasks][];
        double p = o.Correlation, q = Math.Sqrt(1 - p * p);
        for (int k = 0; k < o.Pairs; k++)
        {
            var (u1, u2) = OrthonormalPair(d, gen);
            weights[2 * k] = u1.Select(v => o.Scale * v).ToArray();
            weights[2 * k + 1] = Enumerable.Range(0, d).Select(i => o.Scale * (p * u1[i] + q * u2[i])).ToArray();
        }

        var x = new float[(long)o.Count * d];
        var y = new float[tasks][];
        for (int t = 0; t < tasks; t++) y[t] = new float[o.Count];
        var row = new double[d];
        for (int n = 0; n < o.Count; n++)
        {
            for (int i = 0; i < d; i++) { row[i] = gen.NextNormal(); x[(long)n * d + i] = (float)row[i]; }
            for (int t = 0; t < tasks; t++)
            {
                // Use the float32 input actually stored, so the labels are exact functions of the dataset's inputs.
                double lin = 0;
                for (int i = 0; i < d; i++) lin += weights[t][i] * x[(long)n * d + i];
                double v = lin;
                for (int s = 0; s < o.SinTerms; s++) v += Math.Sin(alpha[s] * lin + beta[s]);
                y[t][n] = (float)(v + o.NoiseStd * gen.NextNormal());
            }
        }
        var columns = Enumerable.Range(0, tasks).Select(t => LabelColumn.Vectors($"task{t + 1}", 1, y[t])).ToArray();
        return new SyntheticTasks(new InMemoryDataset([d], x, columns), weights);
    }

    /// <summary>Two orthonormal vectors: normalised Gaussian a, then Gram–Schmidt on Gaussian b.</summary>
    internal static (double[] U1, double[] U2) OrthonormalPair(int d, Generator gen)
    {
        while (true)
        {
            var a = new double[d];
            var b = new double[d];
            for (int i = 0; i < d; i++) a[i] = gen.NextNormal();
            for (int i = 0; i < d; i++) b[i] = gen.NextNormal();
            double na = Math.Sqrt(a.Sum(v => v * v));
            if (na < 1e-12) continue;
            for (int i = 0; i < d; i++) a[i] /= na;
            double dot = 0;
            for (int i = 0; i < d; i++) dot += a[i] * b[i];
            for (int i = 0; i < d; i++) b[i] -= dot * a[i];
            double nb = Math.Sqrt(b.Sum(v => v * v));
            if (nb < 1e-12) continue;
            for (int i = 0; i < d; i++) b[i] /= nb;
            return (a, b);
        }
    }
}
