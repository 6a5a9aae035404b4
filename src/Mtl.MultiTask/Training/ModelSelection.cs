// Scores validation results as Δm against reference metrics, and tracks the best epoch and patience for early stopping.
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The validation score used for best-model keeping and early stopping: Δm% over the tasks' primary metrics (the first
/// metric each task declares) against reference values — single-task baselines when given, else the first validation
/// epoch. Higher is better. A reference of exactly 0 uses the absolute difference for that task.
/// </summary>
public sealed class ModelSelection
{
    private readonly IReadOnlyList<TaskSpec> _tasks;
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? _reference;

    public ModelSelection(IReadOnlyList<TaskSpec> tasks, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? reference = null)
    {
        _tasks = tasks;
        _reference = reference;
    }

    /// <summary>The best score so far (−∞ before the first).</summary>
    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>The epoch of <see cref="BestScore"/> (−1 before the first).</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>Epochs since the last improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>The reference values in use (null until the first evaluation when none were given).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Reference => _reference;

    /// <summary>Scores <paramref name="result"/> (fixing the reference on first use when none was given).</summary>
    public double Score(EvaluationResult result)
    {
        _reference ??= result.Metrics;
        double sum = 0;
        foreach (var t in _tasks)
        {
            var primary = t.CreateMetrics().FirstOrDefault()
                ?? throw new InvalidOperationException($"task '{t.Name}': declares no metrics, so validation cannot score it");
            if (!result.Metrics.TryGetValue(t.Name, out var values) || !values.TryGetValue(primary.Name, out double m))
                throw new InvalidOperationException($"task '{t.Name}': the evaluation has no '{primary.Name}' value");
            if (!_reference.TryGetValue(t.Name, out var refs) || !refs.TryGetValue(primary.Name, out double r))
                throw new InvalidOperationException($"task '{t.Name}': the reference metrics have no '{primary.Name}' value");
            double rel = Math.Abs(r) > 1e-12 ? (m - r) / Math.Abs(r) : m - r;
            sum += primary.HigherIsBetter ? rel : -rel;
        }
        double score = 100 * sum / _tasks.Count;
        return double.IsNaN(score) ? double.NegativeInfinity : score;
    }

    /// <summary>Records epoch <paramref name="epoch"/>'s score; true when it is the new best (improved by more than minDelta).</summary>
    public bool Observe(int epoch, double score, double minDelta)
    {
        if (BestEpoch < 0 || score > BestScore + minDelta)
        {
            BestScore = score;
            BestEpoch = epoch;
            EpochsWithoutImprovement = 0;
            return true;
        }
        EpochsWithoutImprovement++;
        return false;
    }

    /// <summary>State for checkpoints.</summary>
    internal (double Best, int Epoch, int Without) State => (BestScore, BestEpoch, EpochsWithoutImprovement);

    internal void Restore(double best, int epoch, int without, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? reference)
    {
        BestScore = best;
        BestEpoch = epoch;
        EpochsWithoutImprovement = without;
        _reference ??= reference;
    }
}
