// The element types a safetensors header can name, their sizes, and the order the reference writer packs them in.
namespace Mtl.NN.Serialization;

/// <summary>
/// Every dtype of the reference safetensors library, declared in the library's own order (increasing alignment). The
/// writer packs tensors by DESCENDING position in this list, then by name, so the numeric values matter.
/// </summary>
internal enum SafeTensorsDType
{
    BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ,
    I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64,
}

/// <summary>Facts about <see cref="SafeTensorsDType"/>: names, bit sizes, and how Mtl reads each one.</summary>
internal static class SafeTensorsDTypes
{
    private static readonly Dictionary<string, SafeTensorsDType> ByName =
        Enum.GetValues<SafeTensorsDType>().ToDictionary(d => d.ToString(), d => d, StringComparer.Ordinal);

    /// <summary>Parses a header dtype string (exact, case-sensitive, as the library does).</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype) => ByName.TryGetValue(name, out dtype);

    /// <summary>Bits per element.</summary>
    public static int BitSize(this SafeTensorsDType d) => d switch
    {
        SafeTensorsDType.F4 => 4,
        SafeTensorsDType.F6_E2M3 or SafeTensorsDType.F6_E3M2 => 6,
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 or SafeTensorsDType.I8 or SafeTensorsDType.F8_E5M2
            or SafeTensorsDType.F8_E4M3 or SafeTensorsDType.F8_E8M0 or SafeTensorsDType.F8_E4M3FNUZ
            or SafeTensorsDType.F8_E5M2FNUZ => 8,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 16,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 32,
        _ => 64, // C64, F64, I64, U64
    };

    /// <summary>
    /// The Mtl dtype a file dtype loads as, or null when Mtl cannot read it. F16/BF16 widen exactly to Float32;
    /// I64 narrows to Int32 with a range check; U8/I8/BOOL widen to Int32 (BOOL as 0/1).
    /// </summary>
    public static DType? LoadsAs(this SafeTensorsDType d) => d switch
    {
        SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => DType.Float32,
        SafeTensorsDType.F64 => DType.Float64,
        SafeTensorsDType.I32 or SafeTensorsDType.I64 or SafeTensorsDType.U8 or SafeTensorsDType.I8 or SafeTensorsDType.BOOL => DType.Int32,
        _ => null,
    };

    /// <summary>The file dtype an Mtl dtype is written as.</summary>
    public static SafeTensorsDType WrittenAs(DType d) => d switch
    {
        DType.Float32 => SafeTensorsDType.F32,
        DType.Float64 => SafeTensorsDType.F64,
        DType.Int32 => SafeTensorsDType.I32,
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "safetensors: unknown dtype"),
    };
}
