// Embedding lookup tables: Embedding (one vector per index) and EmbeddingBag (sum or mean of each bag's vectors).
namespace Mtl.NN;

/// <summary>
/// A lookup table of <c>numEmbeddings</c> vectors of size <c>embeddingDim</c>, initialised N(0, 1) as in PyTorch;
/// the padding row (if any) is zero and receives no gradient. Input: Int32 indices of any shape; output: shape + (dim).
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: sizes must be positive, got ({numEmbeddings}, {embeddingDim})");
        if (paddingIdx is int p && (p < -numEmbeddings || p >= numEmbeddings))
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), p, $"Embedding: padding index must be in [-{numEmbeddings}, {numEmbeddings})");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is int q && q < 0 ? q + numEmbeddings : paddingIdx;
        Weight = RegisterParameter("weight", Tensor.EmptyUnscoped([numEmbeddings, embeddingDim]))!;
        using (GradMode.NoGrad()) ResetOwnParameters(generator ?? Init.DefaultGenerator);
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public int? PaddingIdx { get; }

    /// <summary>(numEmbeddings, embeddingDim).</summary>
    public Tensor Weight { get; }

    public override Tensor Forward(Tensor indices) => IndexOps.Embedding(indices, Weight, PaddingIdx);

    protected override void ResetOwnParameters(Generator generator) => InitTable(Weight, PaddingIdx, generator);

    /// <summary>PyTorch's embedding initialisation: N(0, 1) with the padding row zeroed.</summary>
    internal static void InitTable(Tensor weight, int? paddingIdx, Generator generator)
    {
        Init.Normal(weight, 0, 1, generator);
        if (paddingIdx is int p) weight.Select(0, p).Fill(0);
    }

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}

/// <summary>How <see cref="EmbeddingBag"/> combines a bag's vectors.</summary>
public enum BagMode { Sum, Mean }

/// <summary>
/// Sums or averages the embeddings of each bag without materialising per-token outputs for the user. Bags are given
/// either as a 2-D (B, L) index tensor (fixed-length bags) or as 1-D indices with 1-D offsets (bag b = indices
/// [offsets[b], offsets[b+1])), as PyTorch's EmbeddingBag. Empty bags give zeros. Output (B, dim).
/// </summary>
public sealed class EmbeddingBag : Module<Tensor, Tensor>
{
    public EmbeddingBag(int numEmbeddings, int embeddingDim, BagMode mode = BagMode.Mean, int? paddingIdx = null, Generator? generator = null)
    {
        // A private Embedding does the validation and initialisation; its weight is registered here as "weight"
        // so state-dict names match PyTorch's EmbeddingBag.
        var table = new Embedding(numEmbeddings, embeddingDim, paddingIdx, generator);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = table.PaddingIdx;
        Weight = RegisterParameter("weight", table.Weight)!;
        Mode = mode;
    }

    public BagMode Mode { get; }
    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public int? PaddingIdx { get; }

    /// <summary>(numEmbeddings, embeddingDim).</summary>
    public Tensor Weight { get; }

    protected override void ResetOwnParameters(Generator generator) => Embedding.InitTable(Weight, PaddingIdx, generator);

    /// <summary>Bags of a 2-D (B, L) index tensor.</summary>
    public override Tensor Forward(Tensor indices)
    {
        if (indices.Rank != 2) throw new ArgumentException($"EmbeddingBag: 2-D (bags, length) indices expected, got {indices.ShapeString}; use Forward(indices, offsets) for 1-D input");
        var vectors = IndexOps.Embedding(indices, Weight, PaddingIdx);                 // (B, L, D)
        if (PaddingIdx is null) return Mode == BagMode.Sum ? vectors.Sum(1) : vectors.Mean(1);
        var counts = PerBagCounts(indices);                    // padding entries are not counted, as PyTorch
        var sum = vectors.Sum(1);
        return Mode == BagMode.Sum ? sum : sum.Div(counts.Clamp(min: 1));
    }

    /// <summary>Bags given by 1-D indices and 1-D offsets (start of each bag).</summary>
    public Tensor Forward(Tensor indices, Tensor offsets)
    {
        if (indices.Rank != 1 || offsets.Rank != 1 || offsets.DType != DType.Int32)
            throw new ArgumentException($"EmbeddingBag: expected 1-D Int32 indices and offsets, got {indices.ShapeString} and {offsets.DType} {offsets.ShapeString}");
        int n = indices.Numel, bags = offsets.Numel;
        var off = offsets.ToArray<int>();
        var bagOf = new int[n];
        for (int b = 0; b < bags; b++)
        {
            int start = off[b], end = b + 1 < bags ? off[b + 1] : n;
            if (start < 0 || start > end || end > n)
                throw new ArgumentException($"EmbeddingBag: offsets must be non-decreasing within [0, {n}], bag {b} spans [{start}, {end})");
            for (int i = start; i < end; i++) bagOf[i] = b;
        }
        if (bags > 0 && off[0] != 0) throw new ArgumentException($"EmbeddingBag: the first offset must be 0, got {off[0]}");
        var vectors = IndexOps.Embedding(indices, Weight, PaddingIdx);                                  // (n, D)
        var bagIds = Tensor.From(bagOf);
        var sums = Tensor.Zeros([bags, EmbeddingDim], Weight.DType).IndexAdd(0, bagIds, vectors);
        if (Mode == BagMode.Sum) return sums;
        var ids = indices.ToArray<int>();
        var counts = new float[bags];
        for (int i = 0; i < n; i++) if (PaddingIdx != ids[i]) counts[bagOf[i]]++;
        var c = Tensor.From(counts, bags, 1);
        if (Weight.DType == DType.Float64) c = Tensor.From(counts.Select(v => (double)v).ToArray(), bags, 1);
        return sums.Div(c.Clamp(min: 1));
    }

    private Tensor PerBagCounts(Tensor indices)
    {
        var ids = indices.ToArray<int>();
        int b = indices.Shape[0], l = indices.Shape[1];
        var counts = new double[b];
        for (int i = 0; i < b; i++) for (int j = 0; j < l; j++) if (ids[i * l + j] != PaddingIdx) counts[i]++;
        var t = Tensor.From(counts, b, 1);
        return Weight.DType == DType.Float64 ? t : Tensor.From(counts.Select(v => (float)v).ToArray(), b, 1);
    }

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}, mode='{Mode.ToString().ToLowerInvariant()}'";
}
