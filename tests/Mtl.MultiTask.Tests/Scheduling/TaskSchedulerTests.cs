// Each task scheduler on its own: sampling frequencies against its formula, exact orders and α schedule, determinism, state.
using Mtl.MultiTask.Scheduling;
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Tests.Scheduling;

public class TaskSchedulerTests
{
    // Three tasks of 800, 3200 and 12800 samples in batches of 8: an epoch of the sampling schedulers is 2100 steps.
    private static SchedulingContext Context(int epochs = 5) => new(
        [new TaskData("a", 800, 100), new TaskData("b", 3200, 400), new TaskData("c", 12800, 1600)], epochs);

    private static readonly double[] Sizes = [800, 3200, 12800];

    private static ITaskScheduler Bound(string name, object? options = null, int epochs = 5)
    {
        var s = SchedulerRegistry.Create(name, options);
        s.Bind(Context(epochs));
        return s;
    }

    private static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    private static double[] Normalise(IEnumerable<double> w)
    {
        var a = w.ToArray();
        double sum = a.Sum();
        return a.Select(x => x / sum).ToArray();
    }

    // Pearson's χ² of observed counts against probabilities p; with 2 degrees of freedom the 0.999 quantile is 13.8.
    private static double ChiSquare(int[] counts, double[] p)
    {
        double n = counts.Sum(), chi = 0;
        for (int k = 0; k < counts.Length; k++)
        {
            double expected = n * p[k];
            chi += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        return chi;
    }

    private static int[] Counts(ITaskScheduler s, params int[] epochs)
    {
        var counts = new int[3];
        foreach (var e in epochs)
        {
            var c = s.Plan(e).Counts();
            for (int k = 0; k < 3; k++) counts[k] += c[k];
        }
        return counts;
    }

    private static void AssertFrequencies(int[] counts, double[] p, string what)
    {
        double chi = ChiSquare(counts, p);
        Assert.True(chi < 13.8, $"{what}: counts [{string.Join(", ", counts)}] vs p [{string.Join(", ", p.Select(x => x.ToString("F4")))}], χ² = {chi:F2} (need < 13.8, df 2, p 0.001)");
    }

    [Fact]
    public void Registry_lists_the_six_schedulers_with_their_defaults_and_all_is_the_default()
    {
        Assert.Equal(new[] { "all", "annealed", "lagging", "proportional", "round-robin", "temperature" }, SchedulerRegistry.All.Select(e => e.Name));
        Assert.Equal(2.0, ((TemperatureOptions)SchedulerRegistry.Get("temperature").DefaultOptions()).Tau);
        Assert.Equal(0.8, ((AnnealedOptions)SchedulerRegistry.Get("annealed").DefaultOptions()).Decay);
        Assert.Equal(0.1, ((LaggingOptions)SchedulerRegistry.Get("lagging").DefaultOptions()).Tau);
        foreach (var e in SchedulerRegistry.All) Assert.Equal(e.Name, SchedulerRegistry.Create(e.Name).Name);
        Assert.Equal("temperature", new TemperatureScheduler().Name);
        Assert.Contains("known: all, annealed", Assert.Throws<KeyNotFoundException>(() => SchedulerRegistry.Get("uniform")).Message);
        Assert.Contains("TemperatureOptions", Assert.Throws<ArgumentException>(() => SchedulerRegistry.Create("temperature", new LaggingOptions())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureScheduler(new TemperatureOptions { Tau = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LaggingScheduler(new LaggingOptions { Tau = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedScheduler(new AnnealedOptions { Decay = 1.5 }));
        var loaders = new Dictionary<string, Data.DataLoader>
        {
            ["t"] = new(new Data.InMemoryDataset([1], new float[4], Data.LabelColumn.Vectors("t", 1, new float[4]))),
        };
        Assert.IsType<AllTasksScheduler>(TrainingSource.FromTaskLoaders(loaders).Scheduler);
        Assert.Null(TrainingSource.FromLoader(loaders["t"]).Scheduler);
    }

    [Fact]
    public void All_gives_every_task_every_step_for_as_many_steps_as_the_longest_loader()
    {
        var s = Bound("all");
        Assert.Equal(1600, s.StepsPerEpoch([100, 400, 1600]));
        var plan = s.Plan(3);
        Assert.Equal(1600, plan.Steps);
        for (int step = 0; step < plan.Steps; step += 137) Assert.Equal(new[] { 0, 1, 2 }, plan[step].ToArray());
        Assert.Equal(250, plan.CountBefore(2, 250));
    }

    [Fact]
    public void Round_robin_order_is_exact_and_runs_on_across_epochs()
    {
        var s = SchedulerRegistry.Create("round-robin");
        s.Bind(new SchedulingContext([new TaskData("a", 10, 2), new TaskData("b", 10, 2), new TaskData("c", 30, 3)], 3));
        Assert.Equal(7, s.StepsPerEpoch([2, 2, 3]));
        int[] Order(int epoch) => Enumerable.Range(0, 7).Select(i => s.Plan(epoch)[i][0]).ToArray();
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2, 0 }, Order(0));
        Assert.Equal(new[] { 1, 2, 0, 1, 2, 0, 1 }, Order(1));   // global step 7 → task 7 mod 3 = 1
        Assert.Equal(new[] { 2, 0, 1, 2, 0, 1, 2 }, Order(2));
        Assert.Equal(new[] { 3, 2, 2 }, s.Plan(0).Counts());
        Assert.Equal(2, s.Plan(0).CountBefore(0, 4));
    }

    [Fact]
    public void Proportional_samples_each_task_in_proportion_to_its_size()
    {
        var s = (SamplingScheduler)Bound("proportional", new ProportionalOptions { Seed = 11 });
        var p = Normalise(Sizes);
        Close(p, s.Probabilities(0));
        Assert.Equal(2100, s.Plan(0).Steps);                        // Σ batches: 100 + 400 + 1600
        AssertFrequencies(Counts(s, 0, 1, 2, 3, 4), p, "proportional");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    public void Temperature_samples_each_task_in_proportion_to_its_size_to_the_one_over_tau(double tau)
    {
        var s = (SamplingScheduler)Bound("temperature", new TemperatureOptions { Tau = tau, Seed = 12 });
        var p = Normalise(Sizes.Select(n => Math.Pow(n, 1 / tau)));
        Close(p, s.Probabilities(0));
        if (tau == 2) Close([1 / 7.0, 2 / 7.0, 4 / 7.0], s.Probabilities(0));   // √800 : √3200 : √12800 = 1 : 2 : 4
        AssertFrequencies(Counts(s, 0, 1, 2, 3, 4), p, $"temperature τ={tau}");
    }

    [Fact]
    public void Annealed_alpha_falls_from_one_to_0_2_over_the_epochs_and_sampling_follows_it()
    {
        var s = (AnnealedScheduler)Bound("annealed", new AnnealedOptions { Seed = 13 }, epochs: 5);
        // α = 1 − 0.8·(e − 1)/(E − 1) for e = 1..5 (1-based): 1, 0.8, 0.6, 0.4, 0.2 — exactly that expression.
        for (int e = 1; e <= 5; e++) Assert.Equal(1 - 0.8 * (e - 1) / (5 - 1), s.Alpha(e - 1, 5));
        Close([1.0, 0.8, 0.6, 0.4, 0.2], Enumerable.Range(0, 5).Select(e => s.Alpha(e, 5)).ToArray(), 1e-15);
        Assert.Equal(0.2, s.Alpha(9, 5), 15);                        // past the budget: the last α
        Assert.Equal(1.0, s.Alpha(0, 1));                            // E = 1: no annealing
        for (int e = 0; e < 5; e++)
        {
            double alpha = 1 - 0.8 * e / 4;
            var p = Normalise(Sizes.Select(n => Math.Pow(n, alpha)));
            Close(p, s.Probabilities(e));
            // 2100 draws per epoch; three epochs of the same α would be needed for a tight test, so draw the epoch's
            // plan from three seeds.
            var counts = new int[3];
            foreach (ulong seed in new ulong[] { 13, 14, 15 })
            {
                var t = new AnnealedScheduler(new AnnealedOptions { Seed = seed });
                t.Bind(Context(5));
                var c = t.Plan(e).Counts();
                for (int k = 0; k < 3; k++) counts[k] += c[k];
            }
            AssertFrequencies(counts, p, $"annealed epoch {e + 1} (α={alpha})");
        }
        // The epoch count comes from the context the trainer binds (TrainerOptions.Epochs).
        s.Bind(Context(epochs: 3));
        Close(Normalise(Sizes.Select(n => Math.Pow(n, 0.6))), s.Probabilities(1));
    }

    [Fact]
    public void Lagging_is_uniform_before_validation_then_favours_the_task_furthest_below_its_reference()
    {
        var s = (LaggingScheduler)Bound("lagging", new LaggingOptions { Seed = 14 });
        var uniform = new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 };
        Close(uniform, s.Probabilities(0));
        AssertFrequencies(Counts(s, 0, 1, 2, 3, 4), uniform, "lagging before validation");

        // a is 20 % below its reference, b on par, c 10 % above: p ∝ exp(gap/τ) = e², 1, e⁻¹ with τ = 0.1.
        var feedback = new ValidationFeedback(0, new EvaluationResult(new Dictionary<string, IReadOnlyDictionary<string, double>>()),
            new Dictionary<string, double> { ["a"] = 0.2, ["b"] = 0.0, ["c"] = -0.1 });
        s.Observe(feedback);
        var p = Normalise([Math.Exp(2), 1, Math.Exp(-1)]);
        Close(p, s.Probabilities(1));
        var counts = Counts(s, 1, 2, 3, 4, 5);
        AssertFrequencies(counts, p, "lagging after validation");
        Assert.True(counts[0] > 3 * counts[1] && counts[1] > counts[2], $"counts [{string.Join(", ", counts)}]");
        Close([0.2, 0.0, -0.1], s.Gaps.ToArray());
        Assert.Contains("'b'", Assert.Throws<ArgumentException>(() => s.Observe(feedback with { Shortfall = new Dictionary<string, double> { ["a"] = 0, ["c"] = 0 } })).Message);
    }

    [Fact]
    public void Shortfall_is_the_relative_gap_of_the_primary_metric_signed_by_its_direction()
    {
        Tasks.TaskSpec[] tasks = [new("cls", Tasks.TaskKind.Classification, 3), new("reg", Tasks.TaskKind.Regression, 1)];
        string accuracy = tasks[0].CreateMetrics()[0].Name, error = tasks[1].CreateMetrics()[0].Name;
        var result = new EvaluationResult(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["cls"] = new Dictionary<string, double> { [accuracy] = 0.72 },
            ["reg"] = new Dictionary<string, double> { [error] = 0.5 },
        });
        var reference = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["cls"] = new Dictionary<string, double> { [accuracy] = 0.8 },
            ["reg"] = new Dictionary<string, double> { [error] = 0.4 },
        };
        var gaps = TaskShortfall.Compute(tasks, result, reference);
        Assert.Equal(0.1, gaps["cls"], 12);      // accuracy 10 % below: behind
        Assert.Equal(0.25, gaps["reg"], 12);     // error 25 % above: behind too
    }

    [Theory]
    [InlineData("proportional")]
    [InlineData("temperature")]
    [InlineData("annealed")]
    [InlineData("lagging")]
    public void Sampling_plans_are_a_function_of_seed_and_epoch_and_the_state_round_trips(string name)
    {
        static object Options(string name, ulong seed) => name switch
        {
            "proportional" => new ProportionalOptions { Seed = seed },
            "temperature" => new TemperatureOptions { Seed = seed },
            "annealed" => new AnnealedOptions { Seed = seed },
            _ => new LaggingOptions { Seed = seed },
        };
        static int[] Choices(ITaskScheduler s, int epoch)
        {
            var plan = s.Plan(epoch);
            return Enumerable.Range(0, plan.Steps).Select(i => plan[i][0]).ToArray();
        }
        var a = Bound(name, Options(name, 5));
        var b = Bound(name, Options(name, 5));
        var c = Bound(name, Options(name, 6));
        Assert.Equal(Choices(a, 2), Choices(b, 2));
        Assert.NotEqual(Choices(a, 2), Choices(a, 3));
        Assert.NotEqual(Choices(a, 2), Choices(c, 2));

        if (a is LaggingScheduler lag)
            lag.Observe(new ValidationFeedback(0, new EvaluationResult(new Dictionary<string, IReadOnlyDictionary<string, double>>()),
                new Dictionary<string, double> { ["a"] = 0.05, ["b"] = 0.3, ["c"] = -0.2 }));
        var state = a.StateDict();
        c.LoadStateDict(state);                                      // the seed (and lagging's gaps) come with the state
        Assert.Equal(Choices(a, 4), Choices(c, 4));

        var other = SchedulerRegistry.Create(name, Options(name, 5));
        other.Bind(new SchedulingContext([new TaskData("a", 8, 1), new TaskData("x", 8, 1), new TaskData("c", 8, 1)], 5));
        Assert.Contains("[a, b, c]", Assert.Throws<ArgumentException>(() => other.LoadStateDict(state)).Message);
        var wrongKind = name == "temperature" ? Bound("proportional") : Bound("temperature");
        Assert.Contains($"'{name}'", Assert.Throws<ArgumentException>(() => wrongKind.LoadStateDict(state)).Message);
    }
}
