// Attention masks: validates key-padding and attention masks and merges them into one additive mask plus a dead-row gate.
namespace Mtl.NN;

/// <summary>
/// Turns the user-facing masks into what the attention kernel adds to its scores. A key padding mask (B, S) marks keys
/// to ignore with 1 (Int32 non-zero, or float exactly 1; float entries must be 0 or 1). An attention mask (L, S) or
/// (B·heads, L, S) is additive when float (−∞ forbids a pair) and boolean when Int32 (non-zero forbids). Masks are
/// constants: no gradient flows into them. A query row whose every key is forbidden would make softmax return NaN
/// (PyTorch does); here such a row gets all-zero attention weights instead, so its context vector is zero.
/// </summary>
internal static class AttentionMasks
{
    /// <summary>
    /// The merged additive mask (Bm, Hm, L, S) with Bm ∈ {1, B} and Hm ∈ {1, heads} (−∞ where forbidden, 0 in dead
    /// rows), and a (Bm, Hm, L, 1) gate that is 0 on dead rows, null when no row is dead. Both null without masks.
    /// </summary>
    public static (Tensor? Additive, Tensor? Alive) Build(string name, Tensor? keyPadding, Tensor? attnMask,
        int batch, int heads, int queries, int keys, DType dtype)
    {
        if (keyPadding is null && attnMask is null) return (null, null);
        bool[]? pad = keyPadding is null ? null : PaddingFlags(name, keyPadding, batch, keys);
        double[]? am = attnMask is null ? null : AttnValues(name, attnMask, batch, heads, queries, keys);
        bool perHead = attnMask is not null && attnMask.Rank == 3;
        int bm = pad is not null || perHead ? batch : 1, hm = perHead ? heads : 1;
        var add = new double[bm * hm * queries * keys];
        double[]? alive = null;
        for (int b = 0; b < bm; b++)
            for (int h = 0; h < hm; h++)
                for (int l = 0; l < queries; l++)
                {
                    int row = ((b * hm + h) * queries + l) * keys;
                    int amRow = perHead ? ((b * heads + h) * queries + l) * keys : l * keys;
                    bool dead = true;
                    for (int s = 0; s < keys; s++)
                    {
                        double v = am is null ? 0 : am[amRow + s];
                        if (pad is not null && pad[b * keys + s]) v = double.NegativeInfinity;
                        add[row + s] = v;
                        dead &= double.IsNegativeInfinity(v);
                    }
                    if (!dead || keys == 0) continue;
                    add.AsSpan(row, keys).Clear(); // keep softmax finite; the gate zeroes the row afterwards
                    alive ??= Enumerable.Repeat(1.0, bm * hm * queries).ToArray();
                    alive[(b * hm + h) * queries + l] = 0;
                }
        return (ToTensor(add, dtype, bm, hm, queries, keys), alive is null ? null : ToTensor(alive, dtype, bm, hm, queries, 1));
    }

    private static bool[] PaddingFlags(string name, Tensor mask, int batch, int keys)
    {
        if (mask.Rank != 2 || mask.Shape[0] != batch || mask.Shape[1] != keys)
            throw new ArgumentException($"{name}: key padding mask {mask.ShapeString} must be (B, S) = ({batch}, {keys})");
        if (mask.DType == DType.Int32) return mask.ToArray<int>().Select(v => v != 0).ToArray();
        var values = mask.ToDoubleArray();
        foreach (var v in values)
            if (v != 0 && v != 1)
                throw new ArgumentException($"{name}: a float key padding mask must hold 0 (attend) or 1 (ignore), got {v}; pass additive masks as attnMask");
        return values.Select(v => v != 0).ToArray();
    }

    private static double[] AttnValues(string name, Tensor mask, int batch, int heads, int queries, int keys)
    {
        bool ok = mask.Rank == 2 ? mask.Shape[0] == queries && mask.Shape[1] == keys
            : mask.Rank == 3 && mask.Shape[0] == batch * heads && mask.Shape[1] == queries && mask.Shape[2] == keys;
        if (!ok)
            throw new ArgumentException($"{name}: attention mask {mask.ShapeString} must be (L, S) = ({queries}, {keys}) or (B·heads, L, S) = ({batch * heads}, {queries}, {keys})");
        if (mask.DType == DType.Int32) return mask.ToArray<int>().Select(v => v != 0 ? double.NegativeInfinity : 0).ToArray();
        return mask.ToDoubleArray();
    }

    private static Tensor ToTensor(double[] values, DType dtype, params int[] shape) =>
        dtype == DType.Float64 ? Tensor.From(values, shape) : Tensor.From(values.Select(v => (float)v).ToArray(), shape);
}
