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
    /// No packing of A and no K blocking: each tile reads A rows (or, transposed, columns) in place. B is packed once
    /// into NR-column panels when more than two row tiles reuse it (or it is transposed): panels avoid the L1 set
    /// conflicts of reading 16-float strips down a power-of-two stride. Otherwise B rows are read in place and only a
    /// ragged right edge is packed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Direct(in SgemmArgs g, int i0, int i1, int j0, int j1)
    {
        int k = g.K, mr = K.MR, nr = K.NR, vl = K.VL;
        int cols = j1 - j0;
        float* packed = null, edge = null;
        int edgeStart = j1; // columns from here on read the packed edge strip
        if (!g.BRowsContiguous || i1 - i0 > 2 * mr)
        {
            int panels = (cols + nr - 1) / nr;
            packed = GemmScratch.Current.Floats(GemmScratch.SlotB, (nint)panels * k * nr);
            GemmPack.B<K>(cols, k, g.B + j0 * g.BJs, g.BKs, g.BJs, packed);
        }
        else if (cols % nr % vl != 0)
        {
            edgeStart = j0 + cols / nr * nr;
            edge = GemmScratch.Current.Floats(GemmScratch.SlotEdge, (nint)k * nr);
            GemmPack.B<K>(j1 - edgeStart, k, g.B + edgeStart, g.BKs, 1, edge);
        }

        float alpha = g.Alpha, beta = g.Beta;
        nint ldc = g.Ldc;
        for (int i = i0; i < i1; i += mr)
        {
            int h = Math.Min(mr, i1 - i);
            float* a = g.A + i * g.ARs;
            float* c = g.C + i * ldc;
            for (int j = j0; j < j1; j += nr)
            {
                int w = Math.Min(nr, j1 - j);
                if (packed != null)
                    K.Tile(k, a, g.ARs, g.AKs, packed + (nint)((j - j0) / nr) * k * nr, nr, c + j, ldc, h, w, alpha, beta);
                else if (j >= edgeStart)
                    K.Tile(k, a, g.ARs, g.AKs, edge, nr, c + j, ldc, h, w, alpha, beta);
                else
                    K.Tile(k, a, g.ARs, g.AKs, g.B + j, g.BKs, c + j, ldc, h, w, alpha, beta);
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
                            K.Tile(kc, pa + (nint)ir * kc, 1, mr, bPanel, nr, c + ir * ldc, ldc,
                                Math.Min(mr, mc - ir), w, g.Alpha, beta);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;
}

/// <summary>Cache blocking of the packed path: KC (depth of a slice), MC (rows of an A block), NC (columns of a B block).</summary>
internal readonly record struct SgemmBlocking(int KC, int MC, int NC);
