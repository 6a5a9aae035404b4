// The exception for a checkpoint whose content is invalid or does not fit the model and components it is restored into.
namespace Mtl.NN.Serialization;

/// <summary>
/// Thrown by <see cref="Checkpoint"/> when a well-formed safetensors file is not a valid Mtl checkpoint (missing or
/// unknown format key, unparsable step, bad RNG state, entries outside any component) or does not fit what it is
/// restored into. The message names the file and the component. A corrupt file raises
/// <see cref="SafeTensorsFormatException"/> instead.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message, Exception? inner = null) : base(message, inner) { }
}
