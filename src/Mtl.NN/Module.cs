// The Module base: ordered registries of parameters, buffers and children, train/eval, state dicts, freezing, printing.
using System.Text;

namespace Mtl.NN;

/// <summary>
/// Base of every layer and model, in PyTorch's spirit with .NET names. Subclasses register their parameters, buffers
/// and child modules explicitly in the constructor (no reflection); names are joined with '.' into state-dict keys
/// such as <c>trunk.0.weight</c>.
/// </summary>
public abstract class Module
{
    private readonly List<string> _paramNames = [];
    private readonly Dictionary<string, Tensor?> _params = new(StringComparer.Ordinal);
    private readonly List<string> _bufferNames = [];
    private readonly Dictionary<string, (Tensor? Value, bool Persistent)> _buffers = new(StringComparer.Ordinal);
    private readonly List<string> _childNames = [];
    private readonly Dictionary<string, Module> _children = new(StringComparer.Ordinal);

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics).</summary>
    public bool Training { get; private set; } = true;

    // ---- registration ----

    /// <summary>Registers a trainable parameter (a leaf that requires grad; null for an absent optional one).</summary>
    protected Tensor? RegisterParameter(string name, Tensor? value)
    {
        CheckNewName(name);
        if (value is not null)
        {
            if (!value.IsLeaf) throw new ArgumentException($"{GetType().Name}: parameter '{name}' must be a leaf tensor, got one produced by '{value.GradFn!.OpName}'");
            if (!value.DType.IsFloating()) throw new ArgumentException($"{GetType().Name}: parameter '{name}' must be a float tensor, got {value.DType}");
            value.Keep();
            value.RequiresGrad = true;
        }
        _paramNames.Add(name);
        _params[name] = value;
        return value;
    }

    /// <summary>Registers a buffer: state that is not trained (running statistics); persistent ones go into the state dict.</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? value, bool persistent = true)
    {
        CheckNewName(name);
        value?.Keep();
        _bufferNames.Add(name);
        _buffers[name] = (value, persistent);
        return value;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        _childNames.Add(name);
        _children[name] = module;
        return module;
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid member name '{name}' (must be non-empty and contain no '.')");
        if (_params.ContainsKey(name) || _buffers.ContainsKey(name) || _children.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name}: member '{name}' is already registered");
    }

    /// <summary>Replaces the tensor of a registered buffer (e.g. a running statistic that changes shape on load).</summary>
    protected void SetBuffer(string name, Tensor? value)
    {
        if (!_buffers.TryGetValue(name, out var b)) throw new KeyNotFoundException($"{GetType().Name}: no buffer '{name}'");
        value?.Keep();
        _buffers[name] = (value, b.Persistent);
    }

    // ---- traversal ----

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _childNames.Select(n => (n, _children[n]));

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<Module> Children() => _childNames.Select(n => _children[n]);

    /// <summary>This module and every descendant, with dotted names ("" for this one); each module once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(prefix, seen);
    }

    private IEnumerable<(string, Module)> Walk(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) yield break;
        yield return (prefix, this);
        foreach (var n in _childNames)
            foreach (var m in _children[n].Walk(Join(prefix, n), seen))
                yield return m;
    }

    /// <summary>Every parameter with its dotted name; a parameter shared by two modules appears once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in recurse ? NamedModules() : [("", this)])
            foreach (var n in m._paramNames)
                if (m._params[n] is { } p && seen.Add(p))
                    yield return (Join(prefix, n), p);
    }

    /// <summary>Every parameter (each once).</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? NamedModules() : [("", this)])
            foreach (var n in m._bufferNames)
                if (m._buffers[n].Value is { } b)
                    yield return (Join(prefix, n), b);
    }

    /// <summary>Total number of parameter elements (trainable ones only if asked).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => (long)p.Numel);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes ----

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = mode;
        return this;
    }

    /// <summary>Sets evaluation mode on this module and all descendants.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Stops gradients for every parameter of this sub-tree (they keep their values) and drops their current gradients,
    /// which an optimiser would otherwise keep stepping.
    /// </summary>
    public Module Freeze()
    {
        foreach (var p in Parameters())
        {
            p.RequiresGrad = false;
            p.Grad = null;
        }
        return this;
    }

    /// <summary>Lets gradients flow to every parameter of this sub-tree again.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = true;
        return this;
    }

    /// <summary>Zeroes the gradients of all parameters in place.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    // ---- initialisation ----

    /// <summary>
    /// Re-initialises every module's own parameters (PyTorch's default scheme for the layer), children before their
    /// parent as PyTorch's Module.apply, so a parent can override its children's defaults (MultiheadAttention zeroes
    /// out_proj.bias); draws from <paramref name="generator"/> or <see cref="Init.DefaultGenerator"/>.
    /// </summary>
    public void ResetParameters(Generator? generator = null)
    {
        var g = generator ?? Init.DefaultGenerator;
        using (GradMode.NoGrad()) ResetTree(g, new HashSet<Module>(ReferenceEqualityComparer.Instance));
    }

    private void ResetTree(Generator g, HashSet<Module> seen)
    {
        if (!seen.Add(this)) return;
        foreach (var n in _childNames) _children[n].ResetTree(g, seen);
        ResetOwnParameters(g);
    }

    /// <summary>Initialises the parameters this module registered itself (not its children's). Default: nothing.</summary>
    protected virtual void ResetOwnParameters(Generator generator) { }

    // ---- state dict ----

    /// <summary>Parameters and persistent buffers by dotted name, in registration order (views of the live tensors).</summary>
    public StateDict StateDict()
    {
        var sd = new StateDict();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var n in m._paramNames)
                if (m._params[n] is { } p) sd[Join(prefix, n)] = p.Detach();
            foreach (var n in m._bufferNames)
                if (m._buffers[n] is { Value: { } b, Persistent: true }) sd[Join(prefix, n)] = b.Detach();
        }
        return sd;
    }

    /// <summary>
    /// Copies tensors from <paramref name="state"/> into this module's parameters and buffers. Everything is validated
    /// before anything is written: a shape mismatch always throws (naming the key and both shapes); with
    /// <paramref name="strict"/>, missing or unexpected keys throw too. Float32/Float64 values are converted.
    /// </summary>
    public LoadStateDictResult LoadStateDict(StateDict state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var errors = new List<string>();
        foreach (var (k, target) in own.Tensors)
        {
            if (!state.TryGetValue(k, out var src)) continue;
            if (!ShapeUtil.SameShape(src.Shape, target.Shape))
                errors.Add($"'{k}': checkpoint has shape {src.ShapeString}, model expects {target.ShapeString}");
            else if (src.DType.IsFloating() != target.DType.IsFloating())
                errors.Add($"'{k}': checkpoint has dtype {src.DType}, model expects {target.DType}");
        }
        if (strict)
        {
            if (missing.Count > 0) errors.Add("missing keys: " + string.Join(", ", missing));
            if (unexpected.Count > 0) errors.Add("unexpected keys: " + string.Join(", ", unexpected));
        }
        if (errors.Count > 0)
            throw new StateDictMismatchException($"LoadStateDict into {GetType().Name} failed; nothing was loaded:\n  " + string.Join("\n  ", errors), missing, unexpected);
        using (GradMode.NoGrad())
        {
            foreach (var (k, target) in own.Tensors)
                if (state.TryGetValue(k, out var src))
                    target.CopyFrom(src.DType == target.DType ? src : ConvertDType(src, target.DType));
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    private static Tensor ConvertDType(Tensor src, DType dtype) =>
        dtype == DType.Float32 ? Tensor.From(src.ToFloatArray(), src.ShapeArray) : Tensor.From(src.ToDoubleArray(), src.ShapeArray);

    // ---- printing ----

    /// <summary>One-line description of this module's own settings, e.g. "in_features=784, out_features=10".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>A readable tree of the module with parameter counts.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb, "", 0);
        return sb.ToString();
    }

    private void Render(StringBuilder sb, string label, int depth)
    {
        string pad = new(' ', depth * 2);
        sb.Append(pad);
        if (label.Length > 0) sb.Append('(').Append(label).Append("): ");
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        long count = ParameterCount();
        if (_childNames.Count == 0)
        {
            sb.Append(')');
            if (count > 0) sb.Append("  # ").Append(count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)).Append(" params");
            sb.Append('\n');
            return;
        }
        sb.Append('\n');
        foreach (var n in _childNames) _children[n].Render(sb, n, depth + 1);
        sb.Append(pad).Append(')');
        sb.Append("  # ").Append(count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)).Append(" params\n");
    }
}

/// <summary>A module with a typed forward pass.</summary>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Runs the module.</summary>
    public abstract TOut Forward(TIn input);
}

/// <summary>What <see cref="Module.LoadStateDict"/> skipped (only possible when not strict).</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>Thrown when a state dict does not fit a module; nothing was loaded.</summary>
public sealed class StateDictMismatchException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    : Exception(message)
{
    /// <summary>Keys the module has but the state dict lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; } = missing;

    /// <summary>Keys the state dict has but the module lacks.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; } = unexpected;
}
