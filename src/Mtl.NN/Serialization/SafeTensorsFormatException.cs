// The one exception type for a safetensors file (or stream) that is malformed or holds data Mtl cannot represent.
namespace Mtl.NN.Serialization;

/// <summary>
/// Thrown when safetensors bytes are malformed (bad header length, bad JSON, inconsistent offsets, truncated or
/// trailing data, ...) or hold something Mtl cannot represent (an unsupported dtype, an I64 value outside the int32
/// range, a dimension above 2^31-1). The message names the file and, where one is involved, the tensor.
/// It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed in .NET; code that
/// catches I/O failures of a load therefore catches it too.
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SafeTensorsFormatException(string message, Exception? inner = null) : base(message, inner) { }
}
