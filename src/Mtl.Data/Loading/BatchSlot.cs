// One reusable set of batch tensors (allocated once, unscoped) and the collation that fills it from dataset samples.
namespace Mtl.Data;

/// <summary>
/// The buffers of one batch: input (B, ...sample shape), per-task targets and masks, lengths and indices, created once
/// with <see cref="Tensor.EmptyUnscoped"/> and overwritten in place for every batch that uses this slot. A smaller last
/// batch is served through views of the first rows (created once per slot).
/// </summary>
internal sealed class BatchSlot
{
    private readonly IMultiTaskDataset _dataset;
    private readonly int _batchSize, _sampleSize, _rowSize;
    private readonly TaskLabels[] _tasks;
    private readonly Tensor _input;
    private readonly Tensor[] _targets, _masks;
    private readonly Tensor? _lengths;
    private readonly float[] _scratch;
    private readonly MultiTaskBatch _full;
    private MultiTaskBatch? _tail;

    public BatchSlot(IMultiTaskDataset dataset, int batchSize)
    {
        _dataset = dataset;
        _batchSize = batchSize;
        var input = dataset.Input;
        _sampleSize = input.SampleSize();
        _rowSize = input.Shape.Length == 0 ? 1 : (input.Shape[0] == 0 ? 0 : _sampleSize / input.Shape[0]);
        _tasks = dataset.Tasks.ToArray();
        int[] inShape = [batchSize, .. input.Shape];
        _input = Tensor.EmptyUnscoped(inShape, input.DType == DType.Int32 ? DType.Int32 : DType.Float32);   // (B, ...)
        _targets = new Tensor[_tasks.Length];
        _masks = new Tensor[_tasks.Length];
        int maxWidth = 1;
        for (int t = 0; t < _tasks.Length; t++)
        {
            var info = _tasks[t];
            _targets[t] = info.Kind switch
            {
                LabelKind.ClassIndex => Tensor.EmptyUnscoped([batchSize], DType.Int32),                     // (B)
                LabelKind.FloatVector => Tensor.EmptyUnscoped([batchSize, info.Width], DType.Float32),      // (B, W)
                _ => Tensor.EmptyUnscoped([batchSize, info.Width], DType.Int32),                            // (B, L)
            };
            _masks[t] = Tensor.EmptyUnscoped([batchSize], DType.Float32);                                   // (B)
            maxWidth = Math.Max(maxWidth, info.Width);
        }
        _lengths = input.VariableLength ? Tensor.EmptyUnscoped([batchSize], DType.Int32) : null;           // (B)
        _scratch = new float[maxWidth];
        _full = Make(batchSize, new int[batchSize], t => t);
    }

    /// <summary>The batch object for <paramref name="size"/> samples (the full one, or the cached tail view).</summary>
    private MultiTaskBatch BatchFor(int size)
    {
        if (size == _batchSize) return _full;
        if (_tail is null || _tail.Size != size) _tail = Make(size, new int[size], t => t.Slice(0, 0, size));
        return _tail;
    }

    private MultiTaskBatch Make(int size, int[] indices, Func<Tensor, Tensor> view)
    {
        var targets = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var masks = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int t = 0; t < _tasks.Length; t++)
        {
            targets[_tasks[t].Name] = view(_targets[t]);
            masks[_tasks[t].Name] = view(_masks[t]);
        }
        return new MultiTaskBatch(view(_input), targets, masks, _lengths is null ? null : view(_lengths), indices) { Dataset = _dataset };
    }

    /// <summary>The batch last written into this slot.</summary>
    public MultiTaskBatch? Current { get; private set; }

    /// <summary>Fills this slot with samples <paramref name="order"/>[start .. start+size) and returns the batch.</summary>
    public MultiTaskBatch Fill(ReadOnlySpan<int> order, int start, int size)
    {
        var batch = BatchFor(size);
        var indices = batch.Indices;
        bool tokens = _dataset.Input.DType == DType.Int32;
        bool variable = _dataset.Input.VariableLength;
        int[]? lengths = _lengths?.Array<int>();
        float[]? fin = tokens ? null : _input.Array<float>();
        int[]? tin = tokens ? _input.Array<int>() : null;
        for (int i = 0; i < size; i++)
        {
            int idx = order[start + i];
            indices[i] = idx;
            int len;
            if (tokens)
            {
                var dst = tin.AsSpan(i * _sampleSize, _sampleSize);
                len = _dataset.ReadTokens(idx, dst);
                CheckLength(idx, len, _sampleSize);
                dst[len..].Clear(); // pad with 0
            }
            else
            {
                var dst = fin.AsSpan(i * _sampleSize, _sampleSize);
                len = _dataset.ReadInput(idx, dst);
                if (variable)
                {
                    CheckLength(idx, len, _dataset.Input.Shape[0]);
                    dst[(len * _rowSize)..].Clear();
                }
            }
            if (lengths is not null) lengths[i] = len;
            for (int t = 0; t < _tasks.Length; t++) FillLabel(t, i, idx);
        }
        _input.BumpVersion();
        foreach (var t in _targets) t.BumpVersion();
        foreach (var m in _masks) m.BumpVersion();
        _lengths?.BumpVersion();
        Current = batch;
        return batch;
    }

    private void FillLabel(int t, int row, int idx)
    {
        var info = _tasks[t];
        var v = _scratch.AsSpan(0, info.Width);
        bool has = _dataset.ReadLabel(idx, t, v);
        _masks[t].Array<float>()[row] = has ? 1f : 0f;
        switch (info.Kind)
        {
            case LabelKind.ClassIndex:
            {
                int c = LabelColumn.IgnoreIndex;
                if (has)
                {
                    c = (int)v[0];
                    if (c != v[0] || (uint)c >= (uint)info.NumClasses)
                        throw new ArgumentOutOfRangeException("label", v[0],
                            $"DataLoader: task '{info.Name}' sample {idx} has label {v[0]}, outside [0, {info.NumClasses}) (NumClasses = {info.NumClasses})");
                }
                _targets[t].Array<int>()[row] = c;
                break;
            }
            case LabelKind.FloatVector:
            {
                var dst = _targets[t].Array<float>().AsSpan(row * info.Width, info.Width);
                if (has) v.CopyTo(dst);
                else dst.Clear();
                break;
            }
            default:
            {
                var dst = _targets[t].Array<int>().AsSpan(row * info.Width, info.Width);
                for (int p = 0; p < info.Width; p++) dst[p] = has ? (int)v[p] : LabelColumn.IgnoreIndex;
                break;
            }
        }
    }

    private static void CheckLength(int idx, int len, int max)
    {
        if ((uint)len > (uint)max)
            throw new InvalidOperationException($"DataLoader: sample {idx} reports length {len}, outside [0, {max}]");
    }
}
