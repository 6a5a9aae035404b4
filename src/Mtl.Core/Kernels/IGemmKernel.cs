// The contract of a float32 GEMM micro-kernel: one register tile of C.
using System.Runtime.CompilerServices;

namespace Mtl.Kernels;

/// <summary>
/// A register-tile micro-kernel: computes one tile of at most MR rows by NV·VL columns of C. Implemented by structs so
/// that the generic driver is specialised (and MR/NR folded to constants) per kernel.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Floats per vector.</summary>
    static abstract int VL { get; }

    /// <summary>Columns of the register tile (a multiple of VL).</summary>
    static abstract int NR { get; }

    /// <summary>
    /// C[i, j] = alpha · Σ_p A(i, p)·B(p, j) + beta · C[i, j] for i &lt; mr, j &lt; nr (C is not read when beta == 0).
    /// A(i, p) = a[i·aRs + p·aKs] and only rows i &lt; mr are read. B(p, ·) = b + p·bKs holds nv = ⌈nr / VL⌉ full
    /// vectors that may all be read (zero padding or columns that are never stored). C[i, j] = c[i·ldc + j].
    /// </summary>
    static abstract void Tile(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, int nr, float alpha, float beta);

    /// <summary>
    /// <see cref="Tile"/> for a full-width tile (nr = NR) that also copies what it reads into packed layout, so that
    /// other tiles read it contiguously (packing fused into a first pass). If aCopy is not null (then aRs = 1 and 8
    /// floats are readable at every a + p·aKs), A's MR values of each p go to aCopy[p·MR ..]; up to 8 − MR floats may
    /// be written past aCopy + k·MR. If bCopy is not null, B's NR values of each p go to bCopy[p·NR ..].
    /// </summary>
    static abstract void TileCopy(int k, float* a, nint aRs, nint aKs, float* b, nint bKs,
        float* c, nint ldc, int mr, float alpha, float beta, float* aCopy, float* bCopy);
}

/// <summary>A compile-time switch for generic kernel variants (the JIT removes the dead branch).</summary>
internal interface IGemmSwitch
{
    static abstract bool On { get; }
}

internal readonly struct GemmOn : IGemmSwitch
{
    public static bool On => true;
}

internal readonly struct GemmOff : IGemmSwitch
{
    public static bool On => false;
}
