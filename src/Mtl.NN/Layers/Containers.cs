// Container modules: Sequential (a chain), ModuleList (indexed) and ModuleDict (named), registering their children.
using System.Collections;

namespace Mtl.NN;

/// <summary>Runs its children in order; children are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IEnumerable<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(Module<Tensor, Tensor> layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;
    public Module<Tensor, Tensor> this[int i] => _layers[i];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }

    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An indexed list of modules (children named "0", "1", ...); it has no forward of its own.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList(IEnumerable<T>? items = null)
    {
        if (items is not null) foreach (var m in items) Add(m);
    }

    public ModuleList<T> Add(T module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Modules by name (insertion order kept); names become state-dict key segments.</summary>
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);

    public ModuleDict(IEnumerable<KeyValuePair<string, T>>? items = null)
    {
        if (items is not null) foreach (var (k, v) in items) Add(k, v);
    }

    public ModuleDict<T> Add(string name, T module)
    {
        RegisterModule(name, module);
        _order.Add(name);
        _items[name] = module;
        return this;
    }

    public T this[string key] => _items.TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"ModuleDict has no module '{key}' (has: {string.Join(", ", _order)})");
    public IEnumerable<string> Keys => _order;
    public IEnumerable<T> Values => _order.Select(k => _items[k]);
    public int Count => _order.Count;
    public bool ContainsKey(string key) => _items.ContainsKey(key);
    public bool TryGetValue(string key, out T value) => _items.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _order.Select(k => new KeyValuePair<string, T>(k, _items[k])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
