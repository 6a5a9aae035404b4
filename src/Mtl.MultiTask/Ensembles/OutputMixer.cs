// The per-task arithmetic of an ensemble: averaging, voting, weighted mixtures and sparse logit mixing over members' outputs.
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Ensembles;

/// <summary>
/// Combines the members' outputs of one task (all of one shape, as flat row-major arrays). Classification and
/// sequence-labelling outputs hold classes on axis 1 ((B, C) or (B, C, T)); multi-label and regression outputs are
/// combined element by element. Results are returned as the same kind of output a single model gives: log-probabilities
/// (a valid logit input for arg-max metrics and cross-entropy), logits for multi-label, values for regression.
/// </summary>
internal static class OutputMixer
{
    // Probabilities are kept inside [Eps, 1 − Eps] before a logit so the result stays finite in float32.
    private const double Eps = 1e-12;

    /// <summary>The combined output of <paramref name="kind"/> for member outputs <paramref name="outputs"/> of <paramref name="shape"/>.</summary>
    public static double[] Combine(TaskKind kind, EnsembleCombination combination, double[][] outputs, int[] shape, double[] weights)
    {
        bool classes = kind is TaskKind.Classification or TaskKind.SequenceLabeling;
        return (classes, kind, combination) switch
        {
            (true, _, EnsembleCombination.Vote) => ClassVote(outputs, shape),
            (true, _, EnsembleCombination.Sparse) => ClassLogPool(outputs, shape, weights),
            (true, _, _) => ClassMixture(outputs, shape, weights),
            (_, TaskKind.MultiLabel, EnsembleCombination.Vote) => Elementwise(outputs, LabelVote),
            (_, TaskKind.MultiLabel, EnsembleCombination.Sparse) => Elementwise(outputs, v => Dot(v, weights)),
            (_, TaskKind.MultiLabel, _) => Elementwise(outputs, v => LabelMixture(v, weights)),
            (_, _, EnsembleCombination.Vote) => Elementwise(outputs, Median),
            _ => Elementwise(outputs, v => Dot(v, weights)),
        };
    }

    /// <summary>log(Σ_m w_m softmax(z_m)) per row, computed as a log-sum-exp of log w_m + log softmax(z_m).</summary>
    private static double[] ClassMixture(double[][] outputs, int[] shape, double[] weights) => Rows(outputs, shape, (rows, result) =>
    {
        int c = result.Length;
        var logP = rows.Select(LogSoftmax).ToArray();
        for (int k = 0; k < c; k++)
        {
            double max = double.NegativeInfinity;
            for (int m = 0; m < rows.Length; m++) if (weights[m] > 0) max = Math.Max(max, Math.Log(weights[m]) + logP[m][k]);
            double sum = 0;
            for (int m = 0; m < rows.Length; m++) if (weights[m] > 0) sum += Math.Exp(Math.Log(weights[m]) + logP[m][k] - max);
            result[k] = double.IsNegativeInfinity(max) ? Math.Log(Eps) : max + Math.Log(sum);
        }
    });

    /// <summary>Σ_m w_m log softmax(z_m) per row: logits of a weighted geometric pooling.</summary>
    private static double[] ClassLogPool(double[][] outputs, int[] shape, double[] weights) => Rows(outputs, shape, (rows, result) =>
    {
        for (int m = 0; m < rows.Length; m++)
        {
            if (weights[m] == 0) continue;
            var logP = LogSoftmax(rows[m]);
            for (int k = 0; k < result.Length; k++) result[k] += weights[m] * logP[k];
        }
    });

    /// <summary>
    /// Votes: each member votes for its arg-max class (the first on ties, like Argmax). The result is log q with
    /// q_c = (votes_c + ½·p̄_c)/(M + ½), p̄ the averaged probability: a distribution whose arg-max is the class with most
    /// votes, ties between equally voted classes going to the higher p̄ (½·p̄ &lt; 1 can never outweigh one vote).
    /// </summary>
    private static double[] ClassVote(double[][] outputs, int[] shape) => Rows(outputs, shape, (rows, result) =>
    {
        int members = rows.Length, c = result.Length;
        var votes = new double[c];
        var mean = new double[c];
        foreach (var row in rows)
        {
            int best = 0;
            for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
            votes[best]++;
            var logP = LogSoftmax(row);
            for (int k = 0; k < c; k++) mean[k] += Math.Exp(logP[k]) / members;
        }
        for (int k = 0; k < c; k++) result[k] = Math.Log(Math.Max((votes[k] + 0.5 * mean[k]) / (members + 0.5), Eps));
    });

    /// <summary>logit(Σ_m w_m σ(z_m)).</summary>
    private static double LabelMixture(double[] z, double[] weights)
    {
        double q = 0;
        for (int m = 0; m < z.Length; m++) q += weights[m] * Sigmoid(z[m]);
        return Logit(q);
    }

    /// <summary>
    /// Per-label majority of the members' decisions (z &gt; 0, as the metrics decide): logit of
    /// q = (votes + ½·p̄)/(M + ½), which is above ½ exactly when more than half vote yes, or half do and p̄ &gt; ½.
    /// </summary>
    private static double LabelVote(double[] z)
    {
        double votes = 0, mean = 0;
        foreach (var v in z)
        {
            if (v > 0) votes++;
            mean += Sigmoid(v) / z.Length;
        }
        return Logit((votes + 0.5 * mean) / (z.Length + 0.5));
    }

    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    private static double Median(double[] v)
    {
        var s = (double[])v.Clone();
        Array.Sort(s);
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static double Dot(double[] v, double[] w)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * w[i];
        return s;
    }

    /// <summary>Numerically stable log-softmax of one row.</summary>
    internal static double[] LogSoftmax(double[] z)
    {
        double max = z.Max();
        double sum = 0;
        foreach (var v in z) sum += Math.Exp(v - max);
        double log = max + Math.Log(sum);
        return z.Select(v => v - log).ToArray();
    }

    internal static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double Logit(double q)
    {
        q = Math.Clamp(q, Eps, 1 - Eps);
        return Math.Log(q) - Math.Log(1 - q);
    }

    // Applies f to the members' values at each element.
    private static double[] Elementwise(double[][] outputs, Func<double[], double> f)
    {
        int n = outputs[0].Length;
        var result = new double[n];
        var at = new double[outputs.Length];
        for (int i = 0; i < n; i++)
        {
            for (int m = 0; m < outputs.Length; m++) at[m] = outputs[m][i];
            result[i] = f(at);
        }
        return result;
    }

    // Applies f to each class row (b, ·, s) of a (B, C, S...) layout: f gets the members' rows and fills the result row.
    private static double[] Rows(double[][] outputs, int[] shape, Action<double[][], double[]> f)
    {
        if (shape.Length < 2) throw new ArgumentException($"class outputs must be (B, C) or (B, C, ...), got rank {shape.Length}");
        int b = shape[0], c = shape[1], s = 1;
        for (int i = 2; i < shape.Length; i++) s *= shape[i];
        var result = new double[outputs[0].Length];
        var rows = outputs.Select(_ => new double[c]).ToArray();
        var row = new double[c];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < s; j++)
            {
                for (int m = 0; m < outputs.Length; m++)
                    for (int k = 0; k < c; k++) rows[m][k] = outputs[m][(i * c + k) * s + j];
                Array.Clear(row);
                f(rows, row);
                for (int k = 0; k < c; k++) result[(i * c + k) * s + j] = row[k];
            }
        return result;
    }
}
