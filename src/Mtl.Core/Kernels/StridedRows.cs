// Walks the rows of up to three strided operands that share one shape, after merging dimensions that are contiguous.
namespace Mtl.Kernels;

/// <summary>
/// Iterates over every "row" (all dimensions but the innermost, after coalescing) of up to three operands laid out with
/// their own strides over one common shape. Each step exposes the element offset of the row in each operand; the row
/// has <see cref="Inner"/> elements at strides <see cref="StrideA"/>/<see cref="StrideB"/>/<see cref="StrideC"/>.
/// Broadcast dimensions carry stride 0.
/// </summary>
internal struct StridedRows
{
    private readonly int[] _shape;      // outer dims (coalesced), innermost last
    private readonly int[] _sa, _sb, _sc;
    private readonly int[] _idx;
    private long _remaining;
    private bool _started;

    public StridedRows(ReadOnlySpan<int> shape, ReadOnlySpan<int> sa, int offA, ReadOnlySpan<int> sb = default, int offB = 0,
        ReadOnlySpan<int> sc = default, int offC = 0)
    {
        int rank = shape.Length;
        var dims = new List<(int Size, int A, int B, int C)>(rank);
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            total *= shape[i];
            if (shape[i] == 1) continue;
            dims.Add((shape[i], sa[i], sb.IsEmpty ? 0 : sb[i], sc.IsEmpty ? 0 : sc[i]));
        }
        // Merge dim k into k+1 when the pair is contiguous in every operand.
        for (int k = dims.Count - 2; k >= 0; k--)
        {
            var o = dims[k];
            var n = dims[k + 1];
            if (o.A == n.A * n.Size && o.B == n.B * n.Size && o.C == n.C * n.Size)
            {
                dims[k] = (o.Size * n.Size, n.A, n.B, n.C);
                dims.RemoveAt(k + 1);
            }
        }
        if (dims.Count == 0) dims.Add((1, 1, 1, 1));
        var inner = dims[^1];
        Inner = inner.Size;
        StrideA = inner.A;
        StrideB = inner.B;
        StrideC = inner.C;
        int outer = dims.Count - 1;
        _shape = new int[outer];
        _sa = new int[outer];
        _sb = new int[outer];
        _sc = new int[outer];
        for (int i = 0; i < outer; i++) (_shape[i], _sa[i], _sb[i], _sc[i]) = dims[i];
        _idx = new int[outer];
        _remaining = total == 0 ? 0 : total / Inner;
        OffA = offA;
        OffB = offB;
        OffC = offC;
        _started = false;
    }

    /// <summary>Elements per row.</summary>
    public readonly int Inner { get; }
    public readonly int StrideA { get; }
    public readonly int StrideB { get; }
    public readonly int StrideC { get; }

    /// <summary>Number of rows.</summary>
    public readonly long RowCount => _remaining + (_started ? 1 : 0);

    public int OffA { get; private set; }
    public int OffB { get; private set; }
    public int OffC { get; private set; }

    /// <summary>Advances to the next row; false when done.</summary>
    public bool MoveNext()
    {
        if (_remaining == 0) return false;
        _remaining--;
        if (!_started)
        {
            _started = true;
            return true;
        }
        for (int d = _shape.Length - 1; d >= 0; d--)
        {
            if (++_idx[d] < _shape[d])
            {
                OffA += _sa[d];
                OffB += _sb[d];
                OffC += _sc[d];
                return true;
            }
            _idx[d] = 0;
            OffA -= _sa[d] * (_shape[d] - 1);
            OffB -= _sb[d] * (_shape[d] - 1);
            OffC -= _sc[d] * (_shape[d] - 1);
        }
        return true;
    }
}
