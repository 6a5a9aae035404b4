// The functional core of multi-head attention: packed input projections, scaled dot products per head, masks, output projection.
namespace Mtl.NN;

/// <summary>What <see cref="MultiheadAttention"/> returns: the attended output and, if asked for, the attention weights.</summary>
/// <param name="Output">(L, B, E), or (B, L, E) for batch-first layers.</param>
/// <param name="Weights">(B, L, S) averaged over heads, (B, heads, L, S) per head, or null when not requested.</param>
public sealed record AttentionOutput(Tensor Output, Tensor? Weights);

/// <summary>
/// Multi-head attention on explicit weights (the module passes its parameters; tests pass float64 ones), with PyTorch's
/// math: Q, K, V = the three E-row blocks of in_proj applied to query, key, value; per head softmax(Q·Kᵀ/√d + mask)·V;
/// heads concatenated and passed through out_proj. Everything is composed from differentiable ops.
/// </summary>
internal static class AttentionCore
{
    public static AttentionOutput Run(string name, Tensor query, Tensor key, Tensor value, int heads,
        Tensor inWeight, Tensor? inBias, Tensor outWeight, Tensor? outBias, bool batchFirst,
        Tensor? keyPadding, bool needWeights, bool averageWeights, Tensor? attnMask, double dropout, Generator generator)
    {
        int e = inWeight.Shape[1], d = e / heads;
        string layout = batchFirst ? "(B, L, E)" : "(L, B, E)";
        foreach (var (t, what) in new[] { (query, "query"), (key, "key"), (value, "value") })
        {
            if (t.Rank != 3 || t.Shape[2] != e)
                throw new ArgumentException($"{name}: {what} {t.ShapeString} must be 3-D {layout} with E = {e}");
            if (t.DType != inWeight.DType)
                throw new ArgumentException($"{name}: {what} is {t.DType} {t.ShapeString} but the weights are {inWeight.DType}");
        }
        if (!ShapeUtil.SameShape(key.Shape, value.Shape))
            throw new ArgumentException($"{name}: key {key.ShapeString} and value {value.ShapeString} must have the same shape");
        int bAxis = batchFirst ? 0 : 1, sAxis = 1 - bAxis;
        int batch = query.Shape[bAxis], queries = query.Shape[sAxis], keys = key.Shape[sAxis];
        if (key.Shape[bAxis] != batch)
            throw new ArgumentException($"{name}: query {query.ShapeString} and key {key.ShapeString} disagree on the batch size (layout {layout})");
        var (additive, alive) = AttentionMasks.Build(name, keyPadding, attnMask, batch, heads, queries, keys, inWeight.DType);

        var (q, k, v) = Project(query, key, value, inWeight, inBias, e);
        // (B, heads, n, d) views of the projections, whatever the layout
        Tensor Heads(Tensor p, int n) => batchFirst
            ? p.Reshape(batch, n, heads, d).Permute(0, 2, 1, 3)
            : p.Reshape(n, batch, heads, d).Permute(1, 2, 0, 3);

        var scores = Heads(q, queries).DivScalar(Math.Sqrt(d)).MatMul(Heads(k, keys).Transpose(-1, -2)); // (B, heads, L, S)
        if (additive is not null) scores = scores.Add(additive);
        var weights = scores.Softmax(-1);
        if (alive is not null) weights = weights.Mul(alive); // rows with no allowed key attend to nothing
        if (dropout > 0) weights = weights.Dropout(dropout, true, generator);
        var context = weights.MatMul(Heads(v, keys)); // (B, heads, L, d)
        context = batchFirst
            ? context.Permute(0, 2, 1, 3).Reshape(batch, queries, e)
            : context.Permute(2, 0, 1, 3).Reshape(queries, batch, e);
        var output = context.Linear(outWeight, outBias);
        Tensor? w = !needWeights ? null : averageWeights ? weights.Mean(1) : weights;
        return new AttentionOutput(output, w);
    }

    /// <summary>Q, K, V in the input layout; self-attention uses one (…, 3E) projection, shared key/value one (…, 2E).</summary>
    private static (Tensor Q, Tensor K, Tensor V) Project(Tensor query, Tensor key, Tensor value, Tensor w, Tensor? b, int e)
    {
        if (ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            var qkv = query.Linear(w, b).Chunk(3, -1);
            return (qkv[0], qkv[1], qkv[2]);
        }
        var q = query.Linear(w.Slice(0, 0, e), b?.Slice(0, 0, e));
        if (ReferenceEquals(key, value))
        {
            var kv = key.Linear(w.Slice(0, e, 3 * e), b?.Slice(0, e, 3 * e)).Chunk(2, -1);
            return (q, kv[0], kv[1]);
        }
        return (q, key.Linear(w.Slice(0, e, 2 * e), b?.Slice(0, e, 2 * e)), value.Linear(w.Slice(0, 2 * e, 3 * e), b?.Slice(0, 2 * e, 3 * e)));
    }
}
