// The float32 GEMM loops over register tiles: a direct path (no A packing) and the packed Goto/BLIS path.
using System.Runtime.CompilerServices;

namespace Mtl.Kernels;

/// <summary>
/// Computes a rectangle [i0, i1) × [j0, j1) of C with micro-kernel <typeparamref name="K"/>. i0 must be a multiple of MR
/// and j0 of NR (i1, j1 multiples too, or m, n), so every C element lands in the same tile, and gets the same sequence
/// of operations, whatever the split of C between threads.
/// </summary>
internal static unsafe class SgemmDriver<K> where K : struct, IGemmKernel
{
    /// <summary>
    /// No K blocking and no separate packing pass over A or (row-major) B. Row-major A is read in place (MR row
    /// streams). Otherwise the first tile to read a strip of A or B in place also copies it contiguously for the tiles
    /// that read it again: the first tile of each row copies a transposed A's strip; when more than two row tiles
    /// share B, the first row of tiles copies B's NR-column panels (a ragged last panel, and a transposed B, are
    /// packed beforehand). Strips read in place again and again down a power-of-two stride would fight over a few L1
    /// sets.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Direct(in SgemmArgs g, int i0, int i1, int j0, int j1)
    {
        int k = g.K, mr = K.MR, nr = K.NR, vl = K.VL;
        int cols = j1 - j0, fullCols = cols / nr * nr;
        GemmScratch s = GemmScratch.Current;
        float* packedB = null, edge = null;
        bool copyB = false;
        if (!g.BRowsContiguous || i1 - i0 > 2 * mr)
        {
            packedB = s.Floats(GemmScratch.SlotB, (nint)((cols + nr - 1) / nr) * k * nr);
            copyB = g.BRowsContiguous;
            int from = copyB ? fullCols : 0;
            if (from < cols)
                GemmPack.B<K>(cols - from, k, g.B + (j0 + from) * g.BJs, g.BKs, g.BJs, packedB + (nint)from * k);
        }
        else if (cols % nr % vl != 0)
        {
            edge = s.Floats(GemmScratch.SlotEdge, (nint)k * nr);
            GemmPack.B<K>(cols - fullCols, k, g.B + j0 + fullCols, g.BKs, 1, edge);
        }

        bool copyA = g.ARs == 1 && cols > nr;
        float* strip = copyA ? s.Floats(GemmScratch.SlotA, (nint)k * mr) : null;
        float alpha = g.Alpha, beta = g.Beta;
        nint ldc = g.Ldc;
        for (int i = i0; i < i1; i += mr)
        {
            int h = Math.Min(mr, i1 - i);
            float* a = g.A + i * g.ARs, c = g.C + i * ldc;
            nint aRs = g.ARs, aKs = g.AKs;
            bool copyThisA = copyA && i + 8 <= g.M;
            for (int j = j0; j < j1; j += nr)
            {
                int w = Math.Min(nr, j1 - j);
                bool full = w == nr;
                float* bCopy = copyB && i == i0 && full ? packedB + (nint)(j - j0) * k : null;
                float* b = g.B + j;
                nint bKs = g.BKs;
                if (bCopy == null && packedB != null)
                {
                    b = packedB + (nint)(j - j0) * k;
                    bKs = nr;
                }
                else if (bCopy == null && edge != null && j - j0 >= fullCols)
                {
                    b = edge;
                    bKs = nr;
                }

                if (copyThisA || bCopy != null)
                {
                    K.TileCopy(k, a, aRs, aKs, b, bKs, c + j, ldc, h, alpha, beta, copyThisA ? strip : null, bCopy);
                    if (copyThisA)
                    {
                        a = strip;
                        aRs = 1;
                        aKs = mr;
                        copyThisA = false;
                    }
                }
                else
                    K.Tile(k, a, aRs, aKs, b, bKs, c + j, ldc, h, w, alpha, beta);
            }
        }
    }

    /// <summary>
    /// Goto/BLIS blocking: for each NC-column block and KC-deep slice, pack B into NR panels; for each MC-row block,
    /// pack A into MR panels and sweep the tiles. The first K slice applies beta, later ones accumulate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Packed(in SgemmArgs g, in SgemmBlocking bl, int i0, int i1, int j0, int j1)
    {
        int mr = K.MR, nr = K.NR;
        int k = g.K;
        GemmScratch s = GemmScratch.Current;
        float* pb = s.Floats(GemmScratch.SlotB, (nint)bl.KC * RoundUp(Math.Min(bl.NC, j1 - j0), nr));
        float* pa = s.Floats(GemmScratch.SlotA, (nint)bl.KC * RoundUp(Math.Min(bl.MC, i1 - i0), mr));
        nint ldc = g.Ldc;
        for (int jc = j0; jc < j1; jc += bl.NC)
        {
            int nc = Math.Min(bl.NC, j1 - jc);
            for (int pc = 0; pc < k; pc += bl.KC)
            {
                int kc = Math.Min(bl.KC, k - pc);
                GemmPack.B<K>(nc, kc, g.B + pc * g.BKs + jc * g.BJs, g.BKs, g.BJs, pb);
                float beta = pc == 0 ? g.Beta : 1f;
                for (int ic = i0; ic < i1; ic += bl.MC)
                {
                    int mc = Math.Min(bl.MC, i1 - ic);
                    GemmPack.A<K>(mc, kc, g.A + ic * g.ARs + pc * g.AKs, g.ARs, g.AKs, pa);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int w = Math.Min(nr, nc - jr);
                        float* bPanel = pb + (nint)jr * kc;
                        float* c = g.C + ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            // C of a large problem lives in DRAM: fetch the tile while the k loop runs
                            int h = Math.Min(mr, mc - ir);
                            GemmTileStore.Prefetch(c + ir * ldc, ldc, h, w);
                            K.Tile(kc, pa + (nint)ir * kc, 1, mr, bPanel, nr, c + ir * ldc, ldc, h, w, g.Alpha, beta);
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;
}

/// <summary>Cache blocking of the packed path: KC (depth of a slice), MC (rows of an A block), NC (columns of a B block).</summary>
internal readonly record struct SgemmBlocking(int KC, int MC, int NC);
