// Initialises any module from a state dict, an Mtl checkpoint or a plain (e.g. PyTorch) safetensors file via a name map.
using Mtl.NN.Serialization;

namespace Mtl.NN.Transfer;

/// <summary>
/// Transfer learning's first step: copy pretrained weights into a module whose names differ from the source's.
/// Source names go through a <see cref="NameMap"/>; each mapped name that the target has (among its parameters and
/// persistent buffers, restricted by <see cref="NameMap.Only"/>) and whose shape agrees is loaded, Float64 and Float32
/// being converted into the target's dtype. Everything is checked before anything is written.
/// <para>Strict (the default): any mis-shaped tensor, target tensor without a source, or source tensor without a
/// target throws a <see cref="TransferException"/> listing all of them, and nothing is loaded. Lenient: what fits is
/// loaded and the rest is only reported. Either way the <see cref="TransferReport"/> says what happened.</para>
/// <code>
/// var report = WeightTransfer.LoadFile(model, "resnet.safetensors",
///     new NameMap().RewritePrefix("backbone.", "encoder.").Ignore("fc.*"), strict: false);
/// Console.WriteLine(report);
/// </code>
/// </summary>
public static class WeightTransfer
{
    /// <summary>Loads <paramref name="source"/> into <paramref name="target"/> through <paramref name="map"/> (identity when null).</summary>
    public static TransferReport Load(Module target, StateDict source, NameMap? map = null, bool strict = true) =>
        Plan(target, source, map, apply: true, strict);

    /// <summary>
    /// Loads a safetensors file: an Mtl checkpoint (recognised by its <c>mtl.format</c> metadata; its model part, the
    /// <c>model.*</c> tensors, is used) or a plain file of weights such as PyTorch's
    /// <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes.
    /// </summary>
    public static TransferReport LoadFile(Module target, string path, NameMap? map = null, bool strict = true) =>
        Load(target, ReadWeights(path), map, strict);

    /// <summary>What <see cref="Load"/> would do, without writing anything or throwing on problems.</summary>
    public static TransferReport Preview(Module target, StateDict source, NameMap? map = null) =>
        Plan(target, source, map, apply: false, strict: false);

    /// <summary>The weights in a safetensors file: the model part of an Mtl checkpoint, or every tensor of a plain file.</summary>
    public static StateDict ReadWeights(string path)
    {
        var state = SafeTensors.Load(path);
        if (!state.Values.ContainsKey(Checkpoint.FormatKey)) return state;
        return Checkpoint.FromStateDict(state, $"'{path}'").Model; // the model.* tensors, prefix removed
    }

    private static TransferReport Plan(Module target, StateDict source, NameMap? map, bool apply, bool strict)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        map ??= NameMap.Identity;
        var own = target.StateDict();

        // source name → target name, refusing two sources for one target (a name-map mistake).
        var sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var unused = new List<UnusedSource>();
        var excluded = new List<string>();
        foreach (var s in source.Keys)
        {
            var t = map.Map(s);
            if (t is null)
            {
                unused.Add(new UnusedSource(s, null));
                continue;
            }
            if (sourceOf.TryGetValue(t, out var other))
                throw new ArgumentException($"WeightTransfer: source tensors '{other}' and '{s}' both map to target '{t}'; fix the name map");
            sourceOf[t] = s;
            if (!own.ContainsKey(t)) unused.Add(new UnusedSource(s, t));
        }

        var loaded = new List<LoadedTensor>();
        var missing = new List<string>();
        var mismatched = new List<MismatchedTensor>();
        var copies = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, t) in own.Tensors)
        {
            if (!map.Includes(name))
            {
                excluded.Add(name);
                if (sourceOf.TryGetValue(name, out var dropped)) unused.Add(new UnusedSource(dropped, null));
                continue;
            }
            if (!sourceOf.TryGetValue(name, out var sName))
            {
                missing.Add(name);
                continue;
            }
            var s = source[sName];
            if (!ShapeUtil.SameShape(s.Shape, t.Shape))
                mismatched.Add(new MismatchedTensor(name, sName, s.ShapeString, t.ShapeString));
            else if (s.DType != t.DType && !(s.DType.IsFloating() && t.DType.IsFloating()))
                mismatched.Add(new MismatchedTensor(name, sName, $"{s.ShapeString} {s.DType}", $"{t.ShapeString} {t.DType}"));
            else
            {
                loaded.Add(new LoadedTensor(name, sName, t.ShapeString, s.DType, t.DType));
                copies.Add((t, s));
            }
        }
        var order = source.Keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, StringComparer.Ordinal);
        unused.Sort((a, b) => order[a.Source].CompareTo(order[b.Source]));

        var report = new TransferReport(loaded, unused, missing, excluded, mismatched, applied: apply);
        if (strict && !report.IsExact)
        {
            var problems = report.Problems();
            throw new TransferException($"WeightTransfer into {target.GetType().Name} (strict) failed with {problems.Count} problem(s); nothing was loaded:\n  "
                + string.Join("\n  ", problems), new TransferReport(loaded, unused, missing, excluded, mismatched, applied: false));
        }
        if (apply)
            using (GradMode.NoGrad())
                foreach (var (t, s) in copies) t.CopyFrom(s.DType == t.DType ? s : Convert(s, t.DType));
        return report;
    }

    private static Tensor Convert(Tensor src, DType dtype) =>
        dtype == DType.Float32 ? Tensor.From(src.ToFloatArray(), src.ShapeArray) : Tensor.From(src.ToDoubleArray(), src.ShapeArray);
}
