// Restores a checkpoint into a live model, its stateful components and generators: all of it or none of it.
namespace Mtl.NN.Serialization;

public static partial class Checkpoint
{
    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> and restores it into <paramref name="model"/>,
    /// <paramref name="components"/> (by name) and <paramref name="generators"/> (by name); returns the content (for
    /// step, epoch and config). See <see cref="Restore(CheckpointContent, Module, IReadOnlyDictionary{string, IStateful}?, IReadOnlyDictionary{string, Generator}?, bool, string)"/>.
    /// </summary>
    public static CheckpointContent Restore(string path, Module model, IReadOnlyDictionary<string, IStateful>? components = null,
        IReadOnlyDictionary<string, Generator>? generators = null, bool strict = true)
    {
        var content = Load(path);
        Restore(content, model, components, generators, strict, $"'{path}'");
        return content;
    }

    /// <summary>
    /// Restores <paramref name="content"/> all-or-nothing. First everything that can be checked from outside is
    /// validated: the model's keys, shapes and dtype kinds (as <see cref="Module.LoadStateDict"/> checks them), that every
    /// requested component and generator is in the checkpoint, and, when <paramref name="strict"/>, that the checkpoint
    /// holds no component, generator or model key that was not asked for. Any problem throws
    /// <see cref="CheckpointException"/> listing all of them, with nothing changed. Then the parts are applied in order
    /// (model, components, generators); if a component's own <see cref="IStateful.LoadStateDict"/> refuses its state,
    /// everything applied before it is put back from deep copies taken beforehand and a <see cref="CheckpointException"/>
    /// naming the component is thrown.
    /// </summary>
    public static void Restore(CheckpointContent content, Module model, IReadOnlyDictionary<string, IStateful>? components = null,
        IReadOnlyDictionary<string, Generator>? generators = null, bool strict = true, string sourceName = "content")
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(model);
        components ??= new Dictionary<string, IStateful>();
        generators ??= new Dictionary<string, Generator>();
        string src = $"checkpoint {sourceName}";

        var errors = new List<string>();
        CheckModel(content.Model, model.StateDict(), strict, errors);
        foreach (var name in components.Keys)
            if (!content.Components.ContainsKey(name)) errors.Add($"component '{name}': not in the checkpoint");
        foreach (var name in generators.Keys)
            if (!content.Generators.ContainsKey(name)) errors.Add($"generator '{name}': not in the checkpoint");
        if (strict)
        {
            foreach (var name in content.Components.Keys)
                if (!components.ContainsKey(name)) errors.Add($"component '{name}': in the checkpoint but nothing to restore it into");
            foreach (var name in content.Generators.Keys)
                if (!generators.ContainsKey(name)) errors.Add($"generator '{name}': in the checkpoint but nothing to restore it into");
        }
        if (errors.Count > 0)
            throw new CheckpointException($"{src} does not fit; nothing was restored:\n  " + string.Join("\n  ", errors));

        // Deep copies to roll back to if a component refuses its state part-way.
        var undo = new List<(string What, Action Apply)>();
        var modelBackup = DeepCopy(model.StateDict());
        string current = "model";
        try
        {
            model.LoadStateDict(content.Model, strict);
            undo.Add(("model", () => model.LoadStateDict(modelBackup, strict: true)));
            foreach (var (name, comp) in components)
            {
                current = $"component '{name}'";
                var backup = DeepCopy(comp.StateDict());
                comp.LoadStateDict(content.Components[name]);
                undo.Add((current, () => comp.LoadStateDict(backup)));
            }
            foreach (var (name, g) in generators)
            {
                current = $"generator '{name}'";
                var backup = g.GetState();
                g.SetState(content.Generators[name]);
                undo.Add((current, () => g.SetState(backup)));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var failed = new List<string>();
            for (int i = undo.Count - 1; i >= 0; i--)
            {
                try { undo[i].Apply(); }
                catch (Exception re) { failed.Add($"{undo[i].What} ({re.Message})"); }
            }
            string rolled = failed.Count == 0
                ? "everything restored before it was rolled back"
                : "rolling back also failed for " + string.Join(", ", failed);
            throw new CheckpointException($"{src}: restoring {current} failed: {e.Message}; {rolled}", e);
        }
    }

    // The checks Module.LoadStateDict makes, done up front so that nothing is written when anything is off.
    private static void CheckModel(StateDict saved, StateDict own, bool strict, List<string> errors)
    {
        foreach (var (k, target) in own.Tensors)
        {
            if (!saved.TryGetValue(k, out var t))
            {
                if (strict) errors.Add($"model: missing key '{k}'");
                continue;
            }
            if (!ShapeUtil.SameShape(t.Shape, target.Shape))
                errors.Add($"model: '{k}': checkpoint has shape {t.ShapeString}, model expects {target.ShapeString}");
            else if (t.DType.IsFloating() != target.DType.IsFloating())
                errors.Add($"model: '{k}': checkpoint has dtype {t.DType}, model expects {target.DType}");
        }
        if (strict)
            foreach (var k in saved.Keys)
                if (!own.ContainsKey(k)) errors.Add($"model: unexpected key '{k}'");
    }

    private static StateDict DeepCopy(StateDict sd)
    {
        var r = new StateDict();
        foreach (var (k, t) in sd.Tensors)
        {
            var c = Tensor.EmptyUnscoped(t.Shape, t.DType);
            switch (t.DType)
            {
                case DType.Float32: t.CopyTo(c.Span<float>()); break;
                case DType.Float64: t.CopyTo(c.Span<double>()); break;
                default: t.CopyTo(c.Span<int>()); break;
            }
            r[k] = c;
        }
        foreach (var (k, v) in sd.Values) r.Values[k] = v;
        return r;
    }
}
