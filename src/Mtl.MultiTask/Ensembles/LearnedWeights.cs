// Fits one task's simplex weights over the ensemble members on validation outputs (full-batch Adam on softmax logits).
using Mtl.MultiTask.Tasks;
using Mtl.NN.Optim;

namespace Mtl.MultiTask.Ensembles;

/// <summary>
/// Learned ensemble weights w = softmax(a) of one task, minimising the validation loss of the weighted mixture:
/// classification −(1/N)·Σ_n log Σ_m w_m·p_m(y_n | x_n); multi-label the same with the Bernoulli probability of each
/// label; regression (1/N)·Σ_n (Σ_m w_m·y_m,n − t_n)². Starts from a = 0 (equal weights) and takes
/// <see cref="EnsembleFitOptions.LearnedSteps"/> full-batch Adam steps in float64: deterministic.
/// </summary>
internal static class LearnedWeights
{
    public static double[] Fit(TaskSamples samples, EnsembleFitOptions options)
    {
        int members = samples.Values.Length, n = samples.Count;
        if (n == 0 || members == 1) return Enumerable.Repeat(1.0 / members, members).ToArray();
        bool regression = samples.Task.Kind == TaskKind.Regression;
        var q = new double[n * members];   // (N, M): the probability each member gives the target, or its prediction
        for (int i = 0; i < n; i++)
            for (int m = 0; m < members; m++)
                q[i * members + m] = samples.Task.Kind switch
                {
                    TaskKind.Regression => samples.Values[m][i],
                    TaskKind.MultiLabel => samples.Targets[i] >= 0.5 ? OutputMixer.Sigmoid(samples.Values[m][i]) : 1 - OutputMixer.Sigmoid(samples.Values[m][i]),
                    _ => Math.Exp(samples.Values[m][i * samples.Width + (int)samples.Targets[i]]),
                };
        var matrix = Tensor.From(q, n, members);                    // (N, M)
        var targets = Tensor.From(samples.Targets, n);              // (N)
        var logits = Tensor.Zeros([members], DType.Float64);         // (M)
        logits.RequiresGrad = true;
        var adam = new Adam([logits], new AdamOptions { Lr = options.LearnedLearningRate });
        using (GradMode.EnableGrad())
        {
            for (int step = 0; step < options.LearnedSteps; step++)
            {
                adam.ZeroGrad();
                var mixture = matrix.MatMul(logits.Softmax(0).Reshape(members, 1)).Reshape(n);   // (N)
                var loss = regression ? mixture.Sub(targets).Square().Mean() : mixture.Clamp(1e-300).Log().Mean().Neg();
                loss.Backward();
                adam.Step();
            }
        }
        using (GradMode.NoGrad()) return logits.Detach().Softmax(0).ToDoubleArray();
    }
}
