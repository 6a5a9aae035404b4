// Runs one float32 GEMM call: resolves the kernel, plans the path and hands C's chunks to the GEMM threads.
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>Entry from <see cref="Gemm"/> once arguments are valid and there is work (m, n, k &gt; 0, alpha ≠ 0).</summary>
internal static unsafe class SgemmRun
{
    public static void Run(in SgemmArgs g, GemmKernelKind kind)
    {
        switch (kind)
        {
            case GemmKernelKind.Avx512: Run<GemmKernelAvx512>(g); break;
            case GemmKernelKind.Avx2: Run<GemmKernelAvx2>(g); break;
            default: Run<GemmKernelPortable>(g); break;
        }
    }

    private static void Run<K>(in SgemmArgs g) where K : struct, IGemmKernel
    {
        SgemmPath path = SgemmPlan.Path<K>(g);
        SgemmBlocking bl = SgemmPlan.Blocking<K>(g.K);
        int threads = MtlThreads.Count;
        SgemmSplit split = SgemmSplit.Choose<K>(g, path, threads);
        if (split.Chunks > 1 && GemmPool.TryEnter())
        {
            try
            {
                var job = SgemmJob<K>.Instance;
                job.Set(g, path, bl, split);
                GemmPool.Run(job, split.Chunks, threads - 1);
            }
            finally
            {
                GemmPool.Exit();
            }
            return;
        }
        for (int c = 0; c < split.Chunks; c++) Chunk<K>(g, path, bl, split, c);
    }

    /// <summary>Computes chunk <paramref name="c"/> of C.</summary>
    public static void Chunk<K>(in SgemmArgs g, SgemmPath path, in SgemmBlocking bl, in SgemmSplit split, int c)
        where K : struct, IGemmKernel
    {
        var (s, e) = split.Range(c);
        int i0 = split.ByRows ? s : 0, i1 = split.ByRows ? e : g.M;
        int j0 = split.ByRows ? 0 : s, j1 = split.ByRows ? g.N : e;
        if (path == SgemmPath.Direct) SgemmDriver<K>.Direct(g, i0, i1, j0, j1);
        else SgemmDriver<K>.Packed(g, bl, i0, i1, j0, j1);
    }

    /// <summary>The pool's view of the call in progress (one instance per kernel; used only while holding the pool).</summary>
    private sealed class SgemmJob<K> : GemmJob where K : struct, IGemmKernel
    {
        public static readonly SgemmJob<K> Instance = new();
        private SgemmArgs _g;
        private SgemmPath _path;
        private SgemmBlocking _bl;
        private SgemmSplit _split;

        public void Set(in SgemmArgs g, SgemmPath path, in SgemmBlocking bl, in SgemmSplit split)
        {
            _g = g;
            _path = path;
            _bl = bl;
            _split = split;
        }

        public override void RunChunk(int chunk) => Chunk<K>(_g, _path, _bl, _split, chunk);
    }
}
