// An ordered map of named tensors plus named string values: the state of a module, optimiser or schedule.
namespace Mtl.NN;

/// <summary>
/// Named tensors in a stable order (insertion order) plus string-valued metadata (step counts, hyper-parameters,
/// RNG state). Module weights, optimiser state and checkpoints all use it; it maps directly onto a safetensors file
/// (tensors + <c>__metadata__</c>).
/// </summary>
public sealed class StateDict
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>String metadata (numbers are written with the invariant culture, "R" format for doubles).</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensor names in insertion order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Number of tensors.</summary>
    public int Count => _order.Count;

    /// <summary>The tensor stored under <paramref name="key"/>.</summary>
    public Tensor this[string key]
    {
        get => _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"state dict has no tensor '{key}'");
        set
        {
            if (!_tensors.ContainsKey(key)) _order.Add(key);
            _tensors[key] = value;
        }
    }

    /// <summary>True when a tensor is stored under <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>Looks a tensor up.</summary>
    public bool TryGetValue(string key, out Tensor tensor) => _tensors.TryGetValue(key, out tensor!);

    /// <summary>Removes a tensor; true if it was there.</summary>
    public bool Remove(string key)
    {
        if (!_tensors.Remove(key)) return false;
        _order.Remove(key);
        return true;
    }

    /// <summary>(name, tensor) pairs in order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Tensors => _order.Select(k => new KeyValuePair<string, Tensor>(k, _tensors[k]));

    /// <summary>Copies every tensor and value of <paramref name="other"/> in, with names prefixed by <paramref name="prefix"/>.</summary>
    public StateDict AddAll(StateDict other, string prefix = "")
    {
        foreach (var (k, t) in other.Tensors) this[prefix + k] = t;
        foreach (var (k, v) in other.Values) Values[prefix + k] = v;
        return this;
    }

    /// <summary>The entries whose names start with <paramref name="prefix"/>, with the prefix removed.</summary>
    public StateDict WithPrefix(string prefix)
    {
        var r = new StateDict();
        foreach (var (k, t) in Tensors) if (k.StartsWith(prefix, StringComparison.Ordinal)) r[k[prefix.Length..]] = t;
        foreach (var (k, v) in Values) if (k.StartsWith(prefix, StringComparison.Ordinal)) r.Values[k[prefix.Length..]] = v;
        return r;
    }
}
