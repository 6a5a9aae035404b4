// Element types a tensor can hold: float32 for training, float64 for gradient checks, int32 for labels and indices.
namespace Mtl;

/// <summary>Element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float: the training type.</summary>
    Float32,
    /// <summary>64-bit IEEE float: same ops as Float32, used for finite-difference gradient checks.</summary>
    Float64,
    /// <summary>32-bit signed integer: class labels and index tensors (no autograd).</summary>
    Int32,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for the floating-point types (the ones autograd works with).</summary>
    public static bool IsFloating(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The dtype of a CLR element type.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(int) ? DType.Int32
        : throw new NotSupportedException($"no tensor dtype for CLR type {typeof(T).Name}");
}
