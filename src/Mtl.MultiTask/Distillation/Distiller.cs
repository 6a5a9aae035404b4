// Knowledge distillation into a multi-task student: which teacher answers for which task, and the soft targets of a batch.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Distillation;

/// <summary>
/// Distils trained teachers into a multi-task student (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a
/// Neural Network"; for several single-task teachers and one multi-task student, Clark et al. 2019, "BAM! Born-Again
/// Multi-Task Networks"). Each teacher is a <see cref="MultiTaskModel"/> — typically one single-task model per task
/// (<see cref="Teachers.TrainSingleTask"/>) — and answers for the tasks it declares; a student task no teacher declares
/// keeps its hard-label loss. Set it as <see cref="TrainerOptions.Distillation"/>: every distilled task's loss becomes
/// <c>α·soft + (1 − α)·hard</c> on the batch's labelled samples (see <see cref="DistillationOptions"/>). With
/// <see cref="DistillationOptions.CacheTeacherOutputs"/> the teachers run once over the training data when training
/// starts and their outputs are looked up by sample index; teachers are never trained. The cache is kept per dataset
/// for the distiller's lifetime: after changing a teacher's weights, make a new distiller.
/// </summary>
public sealed class Distiller
{
    private readonly (MultiTaskModel Teacher, string[] Tasks)[] _teachers;
    private readonly Dictionary<string, MultiTaskModel> _teacherOf = new(StringComparer.Ordinal);
    private readonly Dictionary<IMultiTaskDataset, TeacherOutputCache> _caches = new(ReferenceEqualityComparer.Instance);   // by training dataset
    private MultiTaskBatch? _batch;                                                                     // the batch of _live
    private readonly Dictionary<string, Tensor> _live = new(StringComparer.Ordinal);                   // uncached outputs of _batch

    /// <summary>A distiller from <paramref name="teachers"/>; no task may have two teachers.</summary>
    public Distiller(IEnumerable<MultiTaskModel> teachers, DistillationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        Options = options ?? new DistillationOptions();
        Options.Validate();
        var list = teachers.ToList();
        if (list.Count == 0) throw new ArgumentException("Distiller: no teachers given");
        for (int i = 0; i < list.Count; i++)
        {
            var teacher = list[i] ?? throw new ArgumentException($"Distiller: teacher {i} is null");
            foreach (var t in teacher.Tasks)
                if (!_teacherOf.TryAdd(t.Name, teacher))
                    throw new ArgumentException($"Distiller: task '{t.Name}' has two teachers (teacher {list.IndexOf(_teacherOf[t.Name])} and teacher {i})");
        }
        _teachers = list.Select(m => (m, m.Tasks.Select(t => t.Name).ToArray())).ToArray();
    }

    /// <summary>Temperature, mixing coefficient and caching.</summary>
    public DistillationOptions Options { get; }

    /// <summary>The teacher of each task that has one.</summary>
    public IReadOnlyDictionary<string, MultiTaskModel> TeacherOf => _teacherOf;

    /// <summary>How many times a teacher has run on a training batch (stays 0 while cached outputs are used).</summary>
    public long TeacherBatchRuns { get; private set; }

    /// <summary>How many teacher passes over a training dataset were made to fill caches.</summary>
    public int CachePasses { get; private set; }

    /// <summary>
    /// Checks the student's tasks against the teachers' (same kind and output size; every teacher task belongs to the
    /// student) and, when caching, computes the teachers' outputs over each training dataset not cached yet. Called by
    /// the trainer at the start of every fit.
    /// </summary>
    public void Bind(IReadOnlyList<TaskSpec> studentTasks, TrainingSource train)
    {
        ArgumentNullException.ThrowIfNull(studentTasks);
        ArgumentNullException.ThrowIfNull(train);
        foreach (var (task, teacher) in _teacherOf)
        {
            var student = studentTasks.FirstOrDefault(t => t.Name == task)
                ?? throw new ArgumentException($"distillation: the teacher's task '{task}' is not a task of the student (student tasks: {string.Join(", ", studentTasks.Select(t => t.Name))})");
            var spec = teacher.Tasks.First(t => t.Name == task);
            if (spec.Kind != student.Kind || spec.OutputSize != student.OutputSize)
                throw new ArgumentException($"distillation: task '{task}' is {student.Kind} with {student.OutputSize} outputs in the student but {spec.Kind} with {spec.OutputSize} in its teacher");
            if (!SoftTargetLoss.Supports(student.Kind))
                throw new ArgumentException($"distillation: task '{task}' is a {student.Kind} task; distillation supports classification, multi-label and regression tasks");
        }
        if (!Options.CacheTeacherOutputs) return;
        var datasets = train.Joint is { } joint ? [joint.Dataset] : train.PerTask!.Values.Select(l => l.Dataset).Distinct().ToArray();
        foreach (var dataset in datasets)
        {
            if (_caches.ContainsKey(dataset)) continue;
            var labelled = dataset.Tasks.Select(t => t.Name).Where(_teacherOf.ContainsKey).ToHashSet(StringComparer.Ordinal);
            if (labelled.Count == 0) continue;   // its batches never reach a distilled task's loss
            _caches[dataset] = TeacherOutputCache.Build(dataset, _teachers.Select(x => (x.Teacher, x.Tasks.Where(labelled.Contains).ToArray())).ToList(), Options.CacheBatchSize);
            CachePasses++;
        }
    }

    /// <summary>Whether <paramref name="task"/> has a teacher.</summary>
    public bool Distils(string task) => _teacherOf.ContainsKey(task);

    /// <summary>The teacher's outputs for every sample of <paramref name="batch"/>: (B, ...), no gradient.</summary>
    public Tensor TeacherOutputs(string task, MultiTaskBatch batch)
    {
        if (!_teacherOf.TryGetValue(task, out var teacher)) throw new ArgumentException($"distillation: task '{task}' has no teacher");
        // Cached rows are looked up in the dataset the batch came from; a batch from elsewhere (or made by hand) runs the teacher.
        if (Options.CacheTeacherOutputs && batch.Dataset is { } dataset && _caches.TryGetValue(dataset, out var cache) && cache.Has(task))
            return cache.Lookup(task, batch.Indices);
        if (!ReferenceEquals(_batch, batch)) { _live.Clear(); _batch = batch; }
        if (!_live.TryGetValue(task, out var output))
        {
            IReadOnlyDictionary<string, Tensor>? outputs = null;
            TeacherRun.InEvalMode(teacher, () => outputs = teacher.Forward(batch.Input));
            TeacherBatchRuns++;
            foreach (var t in teacher.Tasks) _live[t.Name] = outputs![t.Name];
            output = _live[task];
        }
        return output;
    }

    /// <summary>Forgets the outputs computed on the fly for earlier batches (the trainer calls it before every step).</summary>
    public void BeginStep()
    {
        _live.Clear();
        _batch = null;
    }

    /// <summary>
    /// The distilled loss of <paramref name="task"/>: <c>α·soft(student, teacher) + (1 − α)·hard</c> over the same rows.
    /// </summary>
    public Tensor Mix(TaskSpec task, Tensor hardLoss, Tensor studentRows, Tensor teacherRows) =>
        SoftTargetLoss.Mix(task, hardLoss, studentRows, teacherRows, Options);
}
