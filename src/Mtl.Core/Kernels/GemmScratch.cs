// Per-thread native, 64-byte-aligned scratch buffers for GEMM packing: grown on demand, freed when the thread dies.
using System.Runtime.InteropServices;

namespace Mtl.Kernels;

/// <summary>
/// Scratch memory of the current thread, in a few independent slots. Native memory avoids GC pinning and allocation per
/// call; the owning object is finalized (and the memory freed) once its thread has ended.
/// </summary>
internal sealed unsafe class GemmScratch
{
    /// <summary>Slot for packed A blocks.</summary>
    public const int SlotA = 0;
    /// <summary>Slot for packed B panels.</summary>
    public const int SlotB = 1;
    /// <summary>Slot for a packed B edge strip (direct path) or other small temporaries.</summary>
    public const int SlotEdge = 2;
    private const int Slots = 3;

    /// <summary>Extra bytes past every request, so vector stores that run over a packed panel's end stay inside.</summary>
    private const int SlackBytes = 256;

    [ThreadStatic] private static GemmScratch? _current;

    private readonly void*[] _ptr = new void*[Slots];
    private readonly nint[] _bytes = new nint[Slots];

    /// <summary>The calling thread's scratch.</summary>
    public static GemmScratch Current => _current ??= new GemmScratch();

    /// <summary>A 64-byte-aligned buffer of at least <paramref name="count"/> floats in slot <paramref name="slot"/>.</summary>
    public float* Floats(int slot, nint count) => (float*)Get(slot, count * sizeof(float));

    /// <summary>A 64-byte-aligned buffer of at least <paramref name="count"/> doubles in slot <paramref name="slot"/>.</summary>
    public double* Doubles(int slot, nint count) => (double*)Get(slot, count * sizeof(double));

    private void* Get(int slot, nint bytes)
    {
        if (bytes <= _bytes[slot]) return _ptr[slot];
        nint size = Math.Max(bytes, _bytes[slot] * 3 / 2);
        size = (size + 4095) & ~(nint)4095;
        if (_ptr[slot] != null) NativeMemory.AlignedFree(_ptr[slot]);
        _ptr[slot] = null;
        _bytes[slot] = 0;
        _ptr[slot] = NativeMemory.AlignedAlloc((nuint)(size + SlackBytes), 64);
        _bytes[slot] = size;
        return _ptr[slot];
    }

    ~GemmScratch()
    {
        for (int i = 0; i < Slots; i++)
            if (_ptr[i] != null) NativeMemory.AlignedFree(_ptr[i]);
    }
}
