// Distillation: the mixed loss by hand, cached teacher outputs equal on-the-fly ones, teachers never train, clear errors.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Distillation;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Xunit;

namespace Mtl.MultiTask.Tests.Distillation;

public class DistillerTests
{
    // Trains a student for `epochs` with the given distiller (null = hard labels) and returns its parameters, flattened.
    private static (float[] Parameters, MultiTaskTrainer Trainer) TrainStudent(Distiller? distiller, IMultiTaskDataset data, int epochs = 2)
    {
        var student = DistillationProblem.Model(DistillationProblem.Tasks(), width: 6, seed: 21);
        using var loader = DistillationProblem.Loader(data);
        var trainer = new MultiTaskTrainer(student, new SGD(student.Parameters(), new SGDOptions { Lr = 0.1, Momentum = 0.9 }),
            new TrainerOptions { Epochs = epochs, Distillation = distiller });
        trainer.Fit(loader);
        return (student.Parameters().SelectMany(p => p.ToArray<float>()).ToArray(), trainer);
    }

    private static MultiTaskModel[] TrainedTeachers(IMultiTaskDataset data)
    {
        using var loader = DistillationProblem.Loader(data, seed: 9);
        return Teachers.TrainSingleTask(DistillationProblem.Tasks(), ts => DistillationProblem.Model(ts, width: 24, seed: 5),
            m => new SGD(m.Parameters(), new SGDOptions { Lr = 0.1, Momentum = 0.9 }), loader, null, new TrainerOptions { Epochs = 3 }).ToArray();
    }

    [Fact]
    public void ClassificationLossIsAlphaTimesTemperatureSquaredKlPlusTheRestHardLoss()
    {
        // student logits s = (1, 0, −1), teacher t = (0, 2, 0), label 1, T = 2, α = 0.3.
        // p = softmax(t/2) = softmax(0, 1, 0) = (1, e, 1)/(2 + e); q = softmax(s/2) = softmax(½, 0, −½).
        // soft = T²·Σ p·(log p − log q); hard = −log softmax(s)[1].
        double e = Math.E, z = 2 + e;
        double[] p = [1 / z, e / z, 1 / z];
        double zq = Math.Exp(0.5) + 1 + Math.Exp(-0.5);
        double[] q = [Math.Exp(0.5) / zq, 1 / zq, Math.Exp(-0.5) / zq];
        double soft = 4 * Enumerable.Range(0, 3).Sum(i => p[i] * (Math.Log(p[i]) - Math.Log(q[i])));
        double hard = -Math.Log(1 / (e + 1 + Math.Exp(-1)));
        double expected = 0.3 * soft + 0.7 * hard;

        var task = new TaskSpec("c", TaskKind.Classification, 3);
        var student = Tensor.From(new double[] { 1, 0, -1 }, 1, 3);
        var teacher = Tensor.From(new double[] { 0, 2, 0 }, 1, 3);
        var hardLoss = Losses.CrossEntropy(student, Tensor.From(new[] { 1 }, 1));
        var mixed = new Distiller([DistillationProblem.Model(DistillationProblem.Tasks("shape"))], new DistillationOptions { Temperature = 2, Alpha = 0.3 })
            .Mix(task, hardLoss, student, teacher);
        Assert.Equal(expected, mixed.Item(), 10);
    }

    [Fact]
    public void RegressionLossMixesTheMseToTheTeacherWithTheHardLoss()
    {
        // student (1, 3), teacher (2, 1): MSE = ((1−2)² + (3−1)²)/2 = 2.5; hard given as 0.4; α = 0.25 → 0.625 + 0.3.
        var teacherModel = new HardSharing(new Linear(2, 2), 2, [new TaskSpec("r", TaskKind.Regression, 1)]);
        var distiller = new Distiller([teacherModel], new DistillationOptions { Alpha = 0.25 });
        var mixed = distiller.Mix(new TaskSpec("r", TaskKind.Regression, 1), Tensor.Scalar(0.4, DType.Float64),
            Tensor.From(new double[] { 1, 3 }, 2, 1), Tensor.From(new double[] { 2, 1 }, 2, 1));
        Assert.Equal(0.925, mixed.Item(), 12);
    }

    [Fact]
    public void CachedTeacherOutputsTrainTheStudentExactlyAsTeachersRunOnEveryBatch()
    {
        var data = DistillationProblem.Data();
        var teachers = TrainedTeachers(data);
        var cached = new Distiller(teachers, new DistillationOptions { CacheTeacherOutputs = true });
        var live = new Distiller(teachers, new DistillationOptions { CacheTeacherOutputs = false });
        var (withCache, cachedTrainer) = TrainStudent(cached, data);
        var (withoutCache, liveTrainer) = TrainStudent(live, data);

        Assert.Equal(1, cached.CachePasses);              // one pass over the data, for both teachers
        Assert.Equal(0, cached.TeacherBatchRuns);         // never on a training batch
        Assert.Equal(2 * liveTrainer.Step, live.TeacherBatchRuns);   // two teachers, every step
        Assert.Equal(withoutCache, withCache);            // bit for bit: the lookup by sample index is the same output
    }

    [Fact]
    public void TeachersAreNeitherTrainedNorLeftInEvalMode()
    {
        var data = DistillationProblem.Data();
        var teachers = TrainedTeachers(data);
        var before = teachers.Select(t => t.Parameters().SelectMany(p => p.ToArray<float>()).ToArray()).ToArray();
        var gradsBefore = teachers.Select(t => t.Parameters().SelectMany(p => p.Grad!.ToArray<float>()).ToArray()).ToArray();
        TrainStudent(new Distiller(teachers, new DistillationOptions { CacheTeacherOutputs = false }), data);
        for (int i = 0; i < teachers.Length; i++)
        {
            Assert.Equal(before[i], teachers[i].Parameters().SelectMany(p => p.ToArray<float>()).ToArray());
            Assert.True(teachers[i].Training);
            Assert.Equal(gradsBefore[i], teachers[i].Parameters().SelectMany(p => p.Grad!.ToArray<float>()).ToArray());   // nothing accumulated
        }
    }

    [Fact]
    public void AlphaZeroIsPlainHardLabelTrainingAndAlphaOneDiffers()
    {
        var data = DistillationProblem.Data();
        var teachers = TrainedTeachers(data);
        var (plain, _) = TrainStudent(null, data);
        var (alphaZero, _) = TrainStudent(new Distiller(teachers, new DistillationOptions { Alpha = 0 }), data);
        var (alphaOne, _) = TrainStudent(new Distiller(teachers, new DistillationOptions { Alpha = 1 }), data);
        Assert.Equal(plain, alphaZero);
        Assert.NotEqual(plain, alphaOne);
    }

    [Fact]
    public void TeacherOnlyTrainingMakesTheStudentAgreeWithItsTeacher()
    {
        // A teacher that learned a *different* rule than the labels: trained on labels that are permuted (class c → c+1).
        var data = DistillationProblem.Data();
        var shifted = Relabel(data, c => (c + 1) % 3);
        using var teacherLoader = DistillationProblem.Loader(shifted, seed: 9);
        var teacher = Teachers.TrainSingleTask(DistillationProblem.Tasks("shape"), ts => DistillationProblem.Model(ts, 24, 5),
            m => new SGD(m.Parameters(), new SGDOptions { Lr = 0.1, Momentum = 0.9 }), teacherLoader, null, new TrainerOptions { Epochs = 6 })[0];

        var (_, trainer) = TrainStudent(new Distiller([teacher], new DistillationOptions { Alpha = 1, Temperature = 1 }), data, epochs: 8);
        var student = trainer.Model;
        using var eval = new DataLoader(data, new DataLoaderOptions { BatchSize = 200 });
        var batch = eval.Epoch(0).First();
        using var noGrad = GradMode.NoGrad();
        student.Eval(); teacher.Eval();
        var s = student.Forward(batch.Input)["shape"].Argmax(1).ToArray<int>();
        var t = teacher.Forward(batch.Input)["shape"].Argmax(1).ToArray<int>();
        var labels = batch.Targets["shape"].ToArray<int>();
        double agreeTeacher = s.Zip(t).Count(x => x.First == x.Second) / 200.0;
        double agreeLabels = s.Zip(labels).Count(x => x.First == x.Second) / 200.0;
        Assert.True(agreeTeacher > 0.8, $"student agrees with its teacher on {agreeTeacher:P0}");
        Assert.True(agreeLabels < 0.3, $"student agrees with the (ignored) labels on {agreeLabels:P0}");
    }

    private static InMemoryDataset Relabel(InMemoryDataset data, Func<int, int> map)
    {
        var shape = data.ClassLabels("shape").Select(map).ToArray();
        return new InMemoryDataset([8], data.AllInputs(), LabelColumn.Classes("shape", 3, shape), LabelColumn.Classes("color", 4, data.ClassLabels("color").ToArray()));
    }

    [Fact]
    public void PerTaskSourcesCacheEachTasksOwnDataset()
    {
        // Two tasks on two different datasets (multi-input): each task's teacher outputs come from its own data.
        var shapeData = DistillationProblem.Data(120, seed: 31);
        var colorData = DistillationProblem.Data(80, seed: 32);
        var teachers = TrainedTeachers(DistillationProblem.Data());
        float[] Run(bool cache)
        {
            var distiller = new Distiller(teachers, new DistillationOptions { CacheTeacherOutputs = cache });
            var student = DistillationProblem.Model(DistillationProblem.Tasks(), width: 6, seed: 21);
            using var a = DistillationProblem.Loader(shapeData);
            using var b = DistillationProblem.Loader(colorData);
            var source = TrainingSource.FromTaskLoaders(new Dictionary<string, DataLoader> { ["shape"] = a, ["color"] = b });
            new MultiTaskTrainer(student, new SGD(student.Parameters(), new SGDOptions { Lr = 0.1 }), new TrainerOptions { Epochs = 2, Distillation = distiller }).Fit(source);
            if (cache) Assert.Equal(2, distiller.CachePasses);
            return student.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void MistakesAreRefusedNamingTheTask()
    {
        var shape = DistillationProblem.Model(DistillationProblem.Tasks("shape"));
        var both = DistillationProblem.Model(DistillationProblem.Tasks());
        var twice = Assert.Throws<ArgumentException>(() => new Distiller([shape, both]));
        Assert.Contains("task 'shape' has two teachers (teacher 0 and teacher 1)", twice.Message);

        using var loader = DistillationProblem.Loader(DistillationProblem.Data());
        var onlyColor = DistillationProblem.Model(DistillationProblem.Tasks("color"));
        var unknown = Assert.Throws<ArgumentException>(() =>
            new MultiTaskTrainer(onlyColor, new SGD(onlyColor.Parameters(), new SGDOptions { Lr = 0.1 }), new TrainerOptions { Epochs = 1, Distillation = new Distiller([shape]) }).Fit(loader));
        Assert.Contains("the teacher's task 'shape' is not a task of the student", unknown.Message);

        var wide = new HardSharing(new Linear(8, 4), 4, [new TaskSpec("shape", TaskKind.Classification, 5)]);
        var mismatch = Assert.Throws<ArgumentException>(() => new Distiller([wide]).Bind(DistillationProblem.Tasks(), loader));
        Assert.Contains("task 'shape' is Classification with 3 outputs in the student but Classification with 5 in its teacher", mismatch.Message);

        var sequence = new HardSharing(new Linear(8, 4), 4, [new TaskSpec("tags", TaskKind.SequenceLabeling, 3)]);
        var seq = Assert.Throws<ArgumentException>(() => new Distiller([sequence]).Bind([new TaskSpec("tags", TaskKind.SequenceLabeling, 3)], loader));
        Assert.Contains("task 'tags' is a SequenceLabeling task", seq.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Distiller([shape], new DistillationOptions { Temperature = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Distiller([shape], new DistillationOptions { Alpha = 1.5 }));
    }
}
