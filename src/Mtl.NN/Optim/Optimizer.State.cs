// Saving and restoring an optimiser: per-group hyper-parameters and per-parameter step counts and state buffers.
using System.Globalization;

namespace Mtl.NN.Optim;

public abstract partial class Optimizer
{
    /// <summary>
    /// A snapshot of the optimiser. Values: <c>optimizer</c> (the name), <c>param_groups</c>, and per group
    /// <c>group.{g}.params</c> (its parameter count), every hyper-parameter (<c>group.{g}.lr</c>, ...) and
    /// <c>group.{g}.initial_lr</c> once a schedule set it; per parameter that has state, <c>state.{i}.step</c>.
    /// Tensors: <c>state.{i}.{buffer}</c>, copies of the state buffers (e.g. <c>state.0.exp_avg</c>).
    /// </summary>
    public StateDict StateDict()
    {
        var sd = new StateDict();
        sd.Values["optimizer"] = Name;
        OptionIO.Write(sd.Values, "param_groups", (long)_groups.Count);
        int index = 0;
        foreach (var g in _groups)
        {
            string gp = $"group.{g.Index}.";
            OptionIO.Write(sd.Values, gp + "params", (long)g.ParamArray.Length);
            g.Options.WriteTo(sd.Values, gp);
            if (g.InitialLr is { } lr0) OptionIO.Write(sd.Values, gp + "initial_lr", lr0);
            var names = StateNames(g.Options);
            for (int j = 0; j < g.ParamArray.Length; j++, index++)
            {
                if (_state[index] is not { } st) continue;
                OptionIO.Write(sd.Values, $"state.{index}.step", st.Step);
                for (int b = 0; b < names.Count; b++)
                {
                    var copy = Tensor.EmptyUnscoped(st.Buffers[b].Shape, st.Buffers[b].DType);
                    st.Buffers[b].CopyDataTo(copy);
                    sd[$"state.{index}.{names[b]}"] = copy;
                }
            }
        }
        return sd;
    }

    /// <summary>
    /// Restores a snapshot from <see cref="StateDict"/> of an optimiser of the same type over parameters of the same
    /// shapes in the same grouping. Everything is checked first (optimiser name, group and parameter counts, every
    /// hyper-parameter, step counts, buffer names and shapes, unexpected entries); on any problem an
    /// <see cref="ArgumentException"/> lists them all and nothing is changed. Float32/Float64 buffers are converted
    /// to the parameter's dtype.
    /// </summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var values = state.Values;
        var used = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();

        if (!values.TryGetValue("optimizer", out var name) || name != Name)
            Fail([$"the state dict is for optimizer '{name ?? "(none)"}', not '{Name}'"]);
        used.Add("optimizer");
        used.Add("param_groups");
        if (!values.TryGetValue("param_groups", out var ngs) || !OptionIO.TryParse(ngs, out long ng) || ng != _groups.Count)
            Fail([$"the state dict has {ngs ?? "no"} param groups, this optimizer has {_groups.Count}"]);
        foreach (var g in _groups)
        {
            string key = $"group.{g.Index}.params";
            used.Add(key);
            if (!values.TryGetValue(key, out var np) || !OptionIO.TryParse(np, out long n) || n != g.ParamArray.Length)
                errors.Add($"param group {g.Index} has {np ?? "no"} parameters in the state dict, {g.ParamArray.Length} in this optimizer");
        }
        if (errors.Count > 0) Fail(errors);

        // Hyper-parameters and initial learning rates.
        var options = new OptimizerOptions[_groups.Count];
        var initialLr = new double?[_groups.Count];
        foreach (var g in _groups)
        {
            string gp = $"group.{g.Index}.";
            var reader = new OptionReader(values, gp, errors, used);
            options[g.Index] = g.Options.ReadFrom(reader);
            foreach (var p in options[g.Index].Problems()) errors.Add($"param group {g.Index}: {p}");
            if (values.TryGetValue(gp + "initial_lr", out var s))
            {
                used.Add(gp + "initial_lr");
                if (OptionIO.TryParse(s, out double lr0)) initialLr[g.Index] = lr0;
                else errors.Add($"value '{gp}initial_lr' = '{s}' is not a number");
            }
        }

        // Per-parameter state: which indices have any, then each must be complete and fit.
        var owner = new (OptimizerGroup Group, Tensor Param)[_state.Count];
        int idx = 0;
        foreach (var g in _groups) foreach (var p in g.ParamArray) owner[idx++] = (g, p);
        var steps = new long?[_state.Count];
        foreach (var (key, s) in values)
        {
            if (!TryStateKey(key, out int i, out var leaf) || leaf != "step") continue;
            used.Add(key);
            if (i >= _state.Count) errors.Add($"'{key}': there is no parameter {i} (the optimizer has {_state.Count})");
            else if (!OptionIO.TryParse(s, out long st) || st < 1) errors.Add($"'{key}' = '{s}' is not a step count >= 1");
            else steps[i] = st;
        }
        foreach (var (key, t) in state.Tensors)
        {
            if (!TryStateKey(key, out int i, out var leaf)) { errors.Add($"unexpected tensor '{key}'"); continue; }
            if (i >= _state.Count) { errors.Add($"'{key}': there is no parameter {i} (the optimizer has {_state.Count})"); continue; }
            var (g, p) = owner[i];
            if (!StateNames(options[g.Index]).Contains(leaf)) errors.Add($"unexpected tensor '{key}' ({Name} with these options keeps {Describe(StateNames(options[g.Index]))})");
            else if (steps[i] is null) errors.Add($"tensor '{key}' has no matching value 'state.{i}.step'");
            else if (!ShapeUtil.SameShape(t.Shape, p.Shape)) errors.Add($"'{key}' has shape {t.ShapeString}, parameter {i} has {p.ShapeString}");
            else if (!t.DType.IsFloating()) errors.Add($"'{key}' has dtype {t.DType}, expected a float tensor");
        }
        for (int i = 0; i < _state.Count; i++)
        {
            if (steps[i] is null) continue;
            foreach (var leaf in StateNames(options[owner[i].Group.Index]))
                if (!state.ContainsKey($"state.{i}.{leaf}")) errors.Add($"missing tensor 'state.{i}.{leaf}'");
        }
        foreach (var key in values.Keys)
            if (!used.Contains(key)) errors.Add($"unexpected value '{key}'");
        if (errors.Count > 0) Fail(errors);

        // Everything fits: apply.
        foreach (var g in _groups)
        {
            g.Options = options[g.Index];
            g.InitialLr = initialLr[g.Index];
        }
        for (int i = 0; i < _state.Count; i++)
        {
            if (steps[i] is not { } st) { _state[i] = null; continue; }
            var (g, p) = owner[i];
            var names = StateNames(g.Options);
            var ps = _state[i];
            if (ps is null || ps.Buffers.Length != names.Count) ps = _state[i] = NewState(p, names);
            ps.Step = st;
            for (int b = 0; b < names.Count; b++) CopyConverted(state[$"state.{i}.{names[b]}"], ps.Buffers[b]);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(List<string> errors) =>
        throw new ArgumentException($"{Name}.LoadStateDict failed; nothing was loaded:\n  " + string.Join("\n  ", errors));

    private static string Describe(IReadOnlyList<string> names) => names.Count == 0 ? "no buffers" : string.Join(", ", names);

    /// <summary>Splits "state.{i}.{leaf}" into its parts.</summary>
    private static bool TryStateKey(string key, out int index, out string leaf)
    {
        index = -1;
        leaf = "";
        if (!key.StartsWith("state.", StringComparison.Ordinal)) return false;
        int dot = key.IndexOf('.', 6);
        if (dot < 0 || !int.TryParse(key.AsSpan(6, dot - 6), NumberStyles.None, CultureInfo.InvariantCulture, out index)) return false;
        leaf = key[(dot + 1)..];
        return leaf.Length > 0;
    }

    private static void CopyConverted(Tensor src, Tensor dst)
    {
        if (src.DType == dst.DType) src.CopyDataTo(dst);
        else if (dst.DType == DType.Float32) dst.CopyFrom<float>(src.ToFloatArray());
        else dst.CopyFrom<double>(src.ToDoubleArray());
        dst.BumpVersion();
    }
}
