// A strategy's persistent state as named arrays and generator states, stored in checkpoints with the trainer's.
using System.Globalization;
using Mtl.NN;

namespace Mtl.MultiTask.Balancing;

/// <summary>
/// The named values a stateful strategy saves (loss histories, learned logits, moving averages, its generator).
/// Short arrays are written as text with round-trip precision; arrays longer than <see cref="TextLimit"/> (a K×P
/// gradient average) as Float64 tensors of the checkpoint. Either way a resumed run continues bit for bit.
/// </summary>
public sealed class StrategyState
{
    private readonly StateDict _dict;
    private readonly string _owner;

    internal StrategyState(StateDict dict, string owner)
    {
        _dict = dict;
        _owner = owner;
    }

    /// <summary>Arrays longer than this are stored as a tensor instead of text.</summary>
    public const int TextLimit = 64;

    /// <summary>Stores an array under <paramref name="name"/>.</summary>
    public void Set(string name, ReadOnlySpan<double> values)
    {
        if (values.Length > TextLimit)
        {
            _dict.Values.Remove(name);
            _dict[name] = Tensor.From(values, values.Length);   // Float64: exact
            return;
        }
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString("R", CultureInfo.InvariantCulture);
        _dict.Values[name] = string.Join(",", parts);
    }

    /// <summary>Stores one number under <paramref name="name"/>.</summary>
    public void Set(string name, double value) => Set(name, [value]);

    /// <summary>Stores a generator's position under <paramref name="name"/>.</summary>
    public void Set(string name, Generator generator) =>
        _dict.Values[name] = string.Join(",", generator.GetState().Select(s => s.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Whether <paramref name="name"/> was stored.</summary>
    public bool Has(string name) => _dict.Values.ContainsKey(name) || _dict.ContainsKey(name);

    /// <summary>The array stored under <paramref name="name"/>; its length must be <paramref name="length"/> when given.</summary>
    public double[] GetArray(string name, int? length = null)
    {
        double[] values;
        if (_dict.TryGetValue(name, out var tensor))
        {
            if (tensor.DType != DType.Float64 || tensor.Rank != 1)
                throw new ArgumentException($"strategy '{_owner}': state '{name}' is a {tensor.DType} tensor {tensor.ShapeString}, expected a Float64 vector");
            values = tensor.ToArray<double>();
        }
        else
        {
            var text = Raw(name);
            values = text.Length == 0 ? [] : text.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        if (length is { } n && values.Length != n)
            throw new ArgumentException($"strategy '{_owner}': state '{name}' has {values.Length} values, expected {n}");
        return values;
    }

    /// <summary>The number stored under <paramref name="name"/>.</summary>
    public double GetNumber(string name) => GetArray(name, 1)[0];

    /// <summary>Restores <paramref name="generator"/> to the position stored under <paramref name="name"/>.</summary>
    public void Restore(string name, Generator generator)
    {
        var words = Raw(name).Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (words.Length != 4) throw new ArgumentException($"strategy '{_owner}': state '{name}' is not a generator state");
        generator.SetState(words);
    }

    private string Raw(string name) => _dict.Values.TryGetValue(name, out var v) ? v
        : throw new ArgumentException($"strategy '{_owner}': state '{name}' is missing (keys: {string.Join(", ", _dict.Values.Keys)})");
}
