// The arrays one `compare` model trains on, held by Mtl and written to files that bench/reference/compare_common.py reads.
using System.Globalization;
using System.Runtime.InteropServices;

namespace Mtl.Bench;

/// <summary>
/// One split of a `compare` model's data: inputs (float features/pixels or int token ids, sample-major) and one label per
/// task per sample (class indices, or float regression targets), N × Tasks, sample-major.
/// </summary>
internal sealed record CompareSplit(int Count, float[]? X, int[]? Tokens, float[]? TargetsF, int[]? Classes)
{
    /// <summary>The inputs of samples [start, start + count) as a kept tensor (count, ...sampleShape).</summary>
    public Tensor Inputs(int start, int count, int[] sampleShape)
    {
        int size = sampleShape.Aggregate(1, (a, b) => a * b);
        int[] shape = [count, .. sampleShape];
        return X is not null
            ? Tensor.From<float>(X.AsSpan(start * size, count * size), shape).Keep()
            : Tensor.From<int>(Tokens!.AsSpan(start * size, count * size), shape).Keep();
    }

    /// <summary>Task <paramref name="task"/>'s targets of samples [start, start + count): Int32 (count) or Float32 (count, 1).</summary>
    public Tensor Targets(int start, int count, int task, int tasks)
    {
        if (Classes is not null)
        {
            var y = new int[count];
            for (int i = 0; i < count; i++) y[i] = Classes[(start + i) * tasks + task];
            return Tensor.From(y, count).Keep();
        }
        var f = new float[count];
        for (int i = 0; i < count; i++) f[i] = TargetsF![(start + i) * tasks + task];
        return Tensor.From(f, count, 1).Keep();
    }
}

/// <summary>Training and evaluation splits of one `compare` model with their per-sample input shape.</summary>
internal sealed record CompareData(CompareSplit Train, CompareSplit Eval, int[] SampleShape, string[] Tasks, string Source)
{
    /// <summary>
    /// Writes the layout compare_common.py reads into <paramref name="folder"/>: meta.json, {train,eval}_x.bin and
    /// {train,eval}_y.bin (little-endian float32 or int32, sample-major).
    /// </summary>
    public void Write(string folder)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("CompareData.Write assumes a little-endian machine");
        Directory.CreateDirectory(folder);
        foreach (var (name, s) in new[] { ("train", Train), ("eval", Eval) })
        {
            File.WriteAllBytes(Path.Combine(folder, $"{name}_x.bin"), s.X is not null ? MemoryMarshal.AsBytes(s.X.AsSpan()).ToArray() : MemoryMarshal.AsBytes(s.Tokens!.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(folder, $"{name}_y.bin"), s.Classes is not null ? MemoryMarshal.AsBytes(s.Classes.AsSpan()).ToArray() : MemoryMarshal.AsBytes(s.TargetsF!.AsSpan()).ToArray());
        }
        string xd = Train.X is not null ? "f32" : "i32", yd = Train.Classes is not null ? "i32" : "f32";
        File.WriteAllText(Path.Combine(folder, "meta.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"train\":{Train.Count},\"eval\":{Eval.Count},\"x_shape\":[{string.Join(",", SampleShape)}],\"x_dtype\":\"{xd}\",\"y_width\":{Tasks.Length},\"y_dtype\":\"{yd}\",\"tasks\":[{string.Join(",", Tasks.Select(t => $"\"{t}\""))}]}}"));
    }
}
