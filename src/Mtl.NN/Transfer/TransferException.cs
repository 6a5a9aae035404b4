// Thrown by a strict weight transfer that does not fit exactly; carries the full report.
namespace Mtl.NN.Transfer;

/// <summary>A strict <see cref="WeightTransfer"/> found problems; nothing was loaded. <see cref="Report"/> lists all of them.</summary>
public sealed class TransferException(string message, TransferReport report) : Exception(message)
{
    /// <summary>What the transfer would have done (not applied).</summary>
    public TransferReport Report { get; } = report;
}
