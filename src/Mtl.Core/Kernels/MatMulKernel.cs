// Batched, broadcasting matrix product on strided operands, mapping transposed views onto GEMM's transpose flags.
namespace Mtl.Kernels;

/// <summary>Runs (..., M, K) × (..., K, N) through <see cref="Gemm"/>, one call per broadcast batch element.</summary>
internal static class MatMulKernel
{
    public static unsafe Tensor Run(Tensor a, Tensor b, string op)
    {
        FloatCheck.Require(op, a, b);
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"{op}: operands must have at least 2 dimensions, got {a.ShapeString} and {b.ShapeString}");
        int m = a.Shape[^2], k = a.Shape[^1], k2 = b.Shape[^2], n = b.Shape[^1];
        if (k != k2)
            throw new ArgumentException($"{op}: inner dimensions differ: {a.ShapeString} × {b.ShapeString} ({k} vs {k2})");
        var batch = ShapeUtil.Broadcast(a.Shape[..^2], b.Shape[..^2], op);
        var outShape = new int[batch.Length + 2];
        batch.CopyTo(outShape, 0);
        outShape[^2] = m;
        outShape[^1] = n;

        // A whole batch of A rows times one 2-D B is a single tall GEMM.
        if (b.Rank == 2 && a.Rank > 2 && RowsFold(a))
        {
            var folded = Tensor.Empty(outShape, a.DType);
            int rows = a.Numel / Math.Max(k, 1);
            if (k == 0) { folded.ClearRaw(); return folded; }
            var a2 = new Tensor(a.Storage, [rows, k], [a.Strides[^2], a.Strides[^1]], a.Offset);
            Gemm2D(a2, b, folded, 0, rows, n, k);
            return folded;
        }

        var r = Tensor.Empty(outShape, a.DType);
        int count = ShapeUtil.Numel(batch);
        if (r.Numel == 0) return r;
        if (k == 0) { r.ClearRaw(); return r; }
        var aBatchStrides = BatchStrides(a, batch);
        var bBatchStrides = BatchStrides(b, batch);
        var idx = new int[batch.Length];
        for (int t = 0; t < count; t++)
        {
            int offA = a.Offset, offB = b.Offset;
            for (int d = 0; d < batch.Length; d++)
            {
                offA += idx[d] * aBatchStrides[d];
                offB += idx[d] * bBatchStrides[d];
            }
            var av = new Tensor(a.Storage, [m, k], [a.Strides[^2], a.Strides[^1]], offA);
            var bv = new Tensor(b.Storage, [k, n], [b.Strides[^2], b.Strides[^1]], offB);
            Gemm2D(av, bv, r, t * m * n, m, n, k);
            for (int d = batch.Length - 1; d >= 0; d--)
            {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
        return r;
    }

    /// <summary>True when a's leading dims and rows can be viewed as one (rows, K) matrix.</summary>
    private static bool RowsFold(Tensor a)
    {
        int rowStride = a.Strides[^2];
        int expected = rowStride * a.Shape[^2];
        for (int d = a.Rank - 3; d >= 0; d--)
        {
            if (a.Shape[d] != 1 && a.Strides[d] != expected) return false;
            expected *= a.Shape[d];
        }
        return a.Strides[^1] == 1 || a.Shape[^1] == 1;
    }

    private static int[] BatchStrides(Tensor t, int[] batch)
    {
        var s = new int[batch.Length];
        int lead = batch.Length - (t.Rank - 2);
        for (int i = 0; i < t.Rank - 2; i++)
            s[lead + i] = t.Shape[i] == 1 ? 0 : t.Strides[i];
        return s;
    }

    /// <summary>C[offC..] (dense m×n) = A (m×k view) × B (k×n view).</summary>
    private static unsafe void Gemm2D(Tensor a, Tensor b, Tensor c, int offC, int m, int n, int k)
    {
        var (av, ta, lda) = Operand(a);
        var (bv, tb, ldb) = Operand(b);
        if (c.DType == DType.Float32)
        {
            fixed (float* pa = av.Array<float>(), pb = bv.Array<float>(), pc = c.Array<float>())
                Gemm.Sgemm(ta, tb, m, n, k, 1f, pa + av.Offset, lda, pb + bv.Offset, ldb, 0f, pc + c.Offset + offC, n);
        }
        else
        {
            fixed (double* pa = av.Array<double>(), pb = bv.Array<double>(), pc = c.Array<double>())
                Gemm.Dgemm(ta, tb, m, n, k, 1.0, pa + av.Offset, lda, pb + bv.Offset, ldb, 0.0, pc + c.Offset + offC, n);
        }
    }

    /// <summary>A 2-D view as (tensor, transposed?, leading dimension), copying only when neither axis is unit-stride.</summary>
    private static (Tensor View, bool Trans, int Ld) Operand(Tensor t)
    {
        int rows = t.Shape[0], cols = t.Shape[1], rs = t.Strides[0], cs = t.Strides[1];
        if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1)) return (t, false, Math.Max(rows == 1 ? cols : rs, Math.Max(cols, 1)));
        if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1)) return (t, true, Math.Max(cols == 1 ? rows : cs, Math.Max(rows, 1)));
        Tensor copy;
        using (GradMode.NoGrad()) copy = t.Detach().Contiguous();
        return (copy, false, Math.Max(cols, 1));
    }
}
